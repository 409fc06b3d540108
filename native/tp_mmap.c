/*
 * tp_mmap: the few memory-mapping calls Node.js lacks, as a Node-API (C) addon.
 *
 *   map(fd, length, writable)  -> ArrayBuffer over mmap(MAP_SHARED) of the first `length` bytes
 *   unmap(arrayBuffer)         -> detach the buffer (length 0 afterwards), then munmap now
 *   isWritable(arrayBuffer)    -> whether the mapping was made PROT_READ|PROT_WRITE
 *   mlock(arrayBuffer)         -> mlock(2) the whole mapping (policies.mlock_shm, FS-03)
 *   send(fd, bytes, off, len)  -> send(2) with MSG_DONTWAIT|MSG_NOSIGNAL: bytes written, or -errno
 *                                 (the control plane's allocation-free frame write; issue 6)
 *
 * Everything else (URI grammar, containment, no-follow open, fstat identity, superblock checks)
 * is done in TypeScript (src/shm/map-region.ts) before map() is called: this file trusts the fd it
 * is given and only guards its own invariants. Why each piece exists is in docs/shm/MAPPING.md.
 *
 * Lifetime: every mapping is described by a `tp_mapping` that is
 *   - the finalize hint of the external ArrayBuffer: when the buffer is garbage-collected the
 *     finalizer munmaps (unless unmap() already did) and frees the struct;
 *   - wrapped onto the ArrayBuffer object (napi_wrap), so unmap()/isWritable()/mlock() can find it
 *     and refuse any ArrayBuffer that is not one of ours (a plain ArrayBuffer must never reach
 *     munmap). unmap() removes the wrap before detaching, because after the detach the finalizer
 *     may free the struct at any later tick.
 */
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

typedef struct {
  void *addr;
  size_t length;
  int writable;
  int unmapped; /* set by unmap(): the finalizer must not munmap a second time */
} tp_mapping;

/* Throw a JS Error whose `code` is the errno name, like node:fs errors do. */
static void throw_errno(napi_env env, const char *call, int err) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s failed: %s (errno %d)", call, strerror(err), err);
  const char *code = err == EACCES ? "EACCES"
                   : err == EBADF ? "EBADF"
                   : err == EINVAL ? "EINVAL"
                   : err == ENODEV ? "ENODEV"
                   : err == ENOMEM ? "ENOMEM"
                   : err == EPERM ? "EPERM"
                   : err == EAGAIN ? "EAGAIN"
                   : "EIO";
  napi_throw_error(env, code, msg);
}

#define CHECK_NAPI(call)                                                   \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, "TP_MMAP_NAPI", "tp_mmap: " #call " failed");  \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

/* Runs on the JS thread some time after the last reference to the buffer's memory is gone. */
static void finalize_mapping(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  tp_mapping *m = hint;
  if (!m->unmapped) munmap(m->addr, m->length);
  free(m);
}

/* The tp_mapping of one of our buffers, or NULL with a TypeError thrown. */
static tp_mapping *mapping_of(napi_env env, napi_value value) {
  bool is_ab = false;
  void *m = NULL;
  if (napi_is_arraybuffer(env, value, &is_ab) != napi_ok || !is_ab ||
      napi_unwrap(env, value, &m) != napi_ok || m == NULL) {
    napi_throw_type_error(env, "TP_MMAP_NOT_MAPPED",
                          "tp_mmap: not a live ArrayBuffer returned by map() (already unmapped?)");
    return NULL;
  }
  return m;
}

/* The single argument of unmap/isWritable/mlock: one of our buffers. NULL with an error thrown. */
static tp_mapping *mapping_arg(napi_env env, napi_callback_info info, const char *usage, napi_value *arg) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1) {
    napi_throw_type_error(env, "TP_MMAP_ARGS", usage);
    return NULL;
  }
  *arg = argv[0];
  return mapping_of(env, argv[0]);
}

static napi_value js_map(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 3) {
    napi_throw_type_error(env, "TP_MMAP_ARGS", "tp_mmap.map(fd, length, writable)");
    return NULL;
  }
  int32_t fd;
  int64_t length;
  bool writable;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_int64(env, argv[1], &length) != napi_ok ||
      napi_get_value_bool(env, argv[2], &writable) != napi_ok) {
    napi_throw_type_error(env, "TP_MMAP_ARGS", "tp_mmap.map(fd: number, length: number, writable: boolean)");
    return NULL;
  }
  /* mmap(2) refuses length 0 itself; the upper bound keeps the size exact in a JS number and in
   * size_t on 32-bit hosts. */
  if (fd < 0 || length <= 0 || (uint64_t)length > (uint64_t)SIZE_MAX || length > 9007199254740991LL) {
    napi_throw_range_error(env, "TP_MMAP_ARGS", "tp_mmap.map: fd must be >= 0 and length in [1, 2^53-1]");
    return NULL;
  }
  /* MAP_SHARED: writes must reach the file (other processes); PROT_WRITE only when asked, so a
   * consumer's mapping is read-only in the page tables, not merely by convention. Offset 0: the
   * superblock is at the start and the kernel returns a page-aligned address, which gives the
   * 8-byte alignment BigInt64Array and Atomics need. */
  int prot = PROT_READ | (writable ? PROT_WRITE : 0);
  void *addr = mmap(NULL, (size_t)length, prot, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) {
    throw_errno(env, "mmap", errno);
    return NULL;
  }
  tp_mapping *m = malloc(sizeof *m);
  if (m == NULL) {
    munmap(addr, (size_t)length);
    throw_errno(env, "malloc", ENOMEM);
    return NULL;
  }
  m->addr = addr;
  m->length = (size_t)length;
  m->writable = writable;
  m->unmapped = 0;
  napi_value ab;
  if (napi_create_external_arraybuffer(env, addr, (size_t)length, finalize_mapping, m, &ab) != napi_ok) {
    /* No buffer exists, so no finalizer will run: undo here. */
    munmap(addr, (size_t)length);
    free(m);
    napi_throw_error(env, "TP_MMAP_NAPI", "tp_mmap: napi_create_external_arraybuffer failed");
    return NULL;
  }
  /* From here the finalizer owns `m`; a failed wrap only loses explicit unmap() for this buffer,
   * so report it (the GC still unmaps). */
  CHECK_NAPI(napi_wrap(env, ab, m, NULL, NULL, NULL));
  return ab;
}

static napi_value js_unmap(napi_env env, napi_callback_info info) {
  napi_value buffer;
  tp_mapping *m = mapping_arg(env, info, "tp_mmap.unmap(arrayBuffer)", &buffer);
  if (m == NULL) return NULL;
  /* Forget the struct first: after the detach below the finalizer may free it. */
  void *ignored = NULL;
  CHECK_NAPI(napi_remove_wrap(env, buffer, &ignored));
  /* Detach before munmap: every typed array over the buffer now has length 0, so no JS access
   * can reach the address range once it is unmapped (reads of a detached view yield undefined,
   * Atomics on it throw). JS is single-threaded here, so nothing runs between the two calls. */
  if (napi_detach_arraybuffer(env, buffer) != napi_ok) {
    /* Not detachable (should not happen for external buffers): keep the mapping and the wrap
     * rather than leave views over unmapped memory. */
    napi_wrap(env, buffer, m, NULL, NULL, NULL);
    napi_throw_error(env, "TP_MMAP_NAPI", "tp_mmap: napi_detach_arraybuffer failed; mapping kept");
    return NULL;
  }
  if (munmap(m->addr, m->length) != 0) {
    /* Only EINVAL is possible for a range we mapped; the finalizer will not retry. */
    m->unmapped = 1;
    throw_errno(env, "munmap", errno);
    return NULL;
  }
  m->unmapped = 1;
  return NULL;
}

static napi_value js_is_writable(napi_env env, napi_callback_info info) {
  napi_value buffer;
  tp_mapping *m = mapping_arg(env, info, "tp_mmap.isWritable(arrayBuffer)", &buffer);
  if (m == NULL) return NULL;
  napi_value result;
  CHECK_NAPI(napi_get_boolean(env, m->writable != 0, &result));
  return result;
}

static napi_value js_mlock(napi_env env, napi_callback_info info) {
  napi_value buffer;
  tp_mapping *m = mapping_arg(env, info, "tp_mmap.mlock(arrayBuffer)", &buffer);
  if (m == NULL) return NULL;
  /* §10.2 step 8: "mlock the mapping; failure is an error" (RLIMIT_MEMLOCK, EPERM). */
  if (mlock(m->addr, m->length) != 0) {
    throw_errno(env, "mlock", errno);
    return NULL;
  }
  return NULL;
}

/*
 * send(fd, uint8array, offset, length): one non-blocking send(2) of bytes [offset, offset+length)
 * of the array. Returns the bytes the kernel took (possibly fewer than asked) or -errno (-EAGAIN
 * when the socket buffer is full); it never throws for an I/O error, the caller falls back to its
 * stream, which reports the error the usual way. MSG_NOSIGNAL: a peer that went away yields
 * -EPIPE, not a SIGPIPE. Nothing is allocated on the JS heap (the result is a small integer).
 */
static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd = -1;
  int64_t off = -1, len = -1;
  bool is_array = false;
  napi_typedarray_type type = napi_int8_array;
  size_t count = 0;
  void *data = NULL;
  if (argc < 4 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_is_typedarray(env, argv[1], &is_array) != napi_ok ||
      !is_array || napi_get_typedarray_info(env, argv[1], &type, &count, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array || napi_get_value_int64(env, argv[2], &off) != napi_ok ||
      napi_get_value_int64(env, argv[3], &len) != napi_ok || fd < 0 || off < 0 || len < 0 || (uint64_t)(off + len) > count) {
    napi_throw_type_error(env, "TP_MMAP_USAGE",
                          "usage: tp_mmap.send(fd >= 0, uint8Array, offset, length) with [offset, offset + length) inside the array");
    return NULL;
  }
  ssize_t n;
  do {
    n = send(fd, (const char *)data + off, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  napi_value result;
  CHECK_NAPI(napi_create_int32(env, n < 0 ? -errno : (int32_t)n, &result));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"map", NULL, js_map, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unmap", NULL, js_unmap, NULL, NULL, NULL, napi_enumerable, NULL},
      {"isWritable", NULL, js_is_writable, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mlock", NULL, js_mlock, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK_NAPI(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
