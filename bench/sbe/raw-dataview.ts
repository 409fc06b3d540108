/**
 * Baseline: the same messages written and read with plain `DataView` calls at hard-coded offsets,
 * no checks of any kind. What a hand-rolled codec costs at minimum.
 */
import { CLIENT_TIMESTAMP_NS, CORRELATION_ID, EPOCH, EXPIRY_NS, HEADER_URI, LEASE_ID, POOL_URI, sink } from './fixtures.js';
import type { Loop } from '../lib/measure.js';

function header(v: DataView, blockLength: number, templateId: number, schemaId: number): void {
  v.setUint16(0, blockLength, true);
  v.setUint16(2, templateId, true);
  v.setUint16(4, schemaId, true);
  v.setUint16(6, 1, true);
}

function putAscii(buf: Uint8Array, v: DataView, pos: number, s: string): number {
  v.setUint32(pos, s.length, true);
  for (let i = 0; i < s.length; i++) buf[pos + 4 + i] = s.charCodeAt(i);
  return pos + 4 + s.length;
}

export function rawKeepaliveEncode(buf: Uint8Array): Loop {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return (n) => {
    for (let i = 0; i < n; i++) {
      header(v, 25, 5, 901);
      v.setBigUint64(8, LEASE_ID, true);
      v.setUint32(16, 10000, true);
      v.setUint32(20, i, true);
      v.setUint8(24, 1);
      v.setBigUint64(25, CLIENT_TIMESTAMP_NS, true);
    }
    sink.n += buf[20] ?? 0;
  };
}

export function rawKeepaliveDecode(buf: Uint8Array): Loop {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      if (v.getUint16(4, true) !== 901 || v.getUint16(2, true) !== 5) continue;
      const base = 8;
      acc += v.getUint32(base, true) + v.getUint32(base + 4, true) * 4294967296;
      acc += v.getUint32(base + 8, true) + v.getUint32(base + 12, true) + v.getUint8(base + 16);
      acc += v.getUint32(base + 17, true) + v.getUint32(base + 21, true) * 4294967296;
    }
    sink.n += acc;
  };
}

const sum = { acc: 0 };

/** Walks a payloadPools group at `pos` adding its fields to `out.acc`; returns the offset past it. */
function sumPools(v: DataView, pos: number, out: { acc: number }): number {
  const entryBl = v.getUint16(pos, true);
  const count = v.getUint16(pos + 2, true);
  let p = pos + 4;
  for (let k = 0; k < count; k++) {
    out.acc += v.getUint16(p, true) + v.getUint32(p + 2, true) + v.getUint32(p + 6, true);
    p += entryBl;
    const ul = v.getUint32(p, true);
    out.acc += ul;
    p += 4 + ul;
  }
  return p;
}

/** Writes one payloadPools entry (pool 1, 1024 slots, 1 MiB stride) with its group dimension at `pos`. */
function putOnePool(buf: Uint8Array, v: DataView, pos: number): number {
  v.setUint16(pos, 10, true);
  v.setUint16(pos + 2, 1, true);
  v.setUint16(pos + 4, 1, true);
  v.setUint32(pos + 6, 1024, true);
  v.setUint32(pos + 10, 1048576, true);
  return putAscii(buf, v, pos + 14, POOL_URI);
}

export function rawAttachResponseEncode(buf: Uint8Array): Loop {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return (n) => {
    let len = 0;
    for (let i = 0; i < n; i++) {
      header(v, 54, 2, 901);
      v.setBigInt64(8, CORRELATION_ID, true);
      v.setInt32(16, 0, true);
      v.setBigUint64(20, LEASE_ID, true);
      v.setBigUint64(28, EXPIRY_NS, true);
      v.setUint32(36, 10000, true);
      v.setBigUint64(40, EPOCH, true);
      v.setUint32(48, 1, true);
      v.setUint32(52, 1024, true);
      v.setUint16(56, 256, true);
      v.setUint32(58, 1, true);
      const pos = putAscii(buf, v, putOnePool(buf, v, 62), HEADER_URI);
      v.setUint32(pos, 0, true);
      len = pos + 4;
    }
    sink.n += len;
  };
}

export function rawAttachResponseDecode(buf: Uint8Array): Loop {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      if (v.getUint16(4, true) !== 901 || v.getUint16(2, true) !== 2) continue;
      const base = 8;
      const bl = v.getUint16(0, true);
      acc += v.getInt32(base, true) + v.getInt32(base + 8, true) + v.getUint32(base + 12, true);
      acc += v.getUint32(base + 20, true) + v.getUint32(base + 28, true) + v.getUint32(base + 32, true);
      acc += v.getUint32(base + 40, true) + v.getUint32(base + 44, true) + v.getUint16(base + 48, true);
      acc += v.getUint32(base + 50, true);
      let pos = sumPools(v, base + bl, sum);
      const hl = v.getUint32(pos, true);
      pos += 4 + hl;
      acc += hl + v.getUint32(pos, true);
    }
    sink.n += acc;
  };
}

export function rawPoolAnnounceEncode(buf: Uint8Array): Loop {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return (n) => {
    let len = 0;
    for (let i = 0; i < n; i++) {
      header(v, 35, 1, 900);
      v.setUint32(8, 10000, true);
      v.setUint32(12, 42, true);
      v.setBigUint64(16, EPOCH, true);
      v.setBigUint64(24, CLIENT_TIMESTAMP_NS, true);
      v.setUint8(32, 1);
      v.setUint32(33, 1, true);
      v.setUint32(37, 1024, true);
      v.setUint16(41, 256, true);
      len = putAscii(buf, v, putOnePool(buf, v, 43), HEADER_URI);
    }
    sink.n += len;
  };
}

export function rawPoolAnnounceDecode(buf: Uint8Array): Loop {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      if (v.getUint16(4, true) !== 900 || v.getUint16(2, true) !== 1) continue;
      const base = 8;
      const bl = v.getUint16(0, true);
      acc += v.getUint32(base, true) + v.getUint32(base + 4, true) + v.getUint32(base + 8, true);
      acc += v.getUint32(base + 16, true) + v.getUint8(base + 24) + v.getUint32(base + 25, true);
      acc += v.getUint32(base + 29, true) + v.getUint16(base + 33, true);
      const pos = sumPools(v, base + bl, sum);
      acc += v.getUint32(pos, true);
    }
    sink.n += acc;
  };
}
