/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib and `cksum -o 3`), slicing-by-4
 * over a table built once at load: no allocation per call. `crc32(ascii('123456789')) === 0xcbf43926`.
 */
const TABLE = new Int32Array(4 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = TABLE[n] as number;
  for (let t = 1; t < 4; t++) {
    c = (TABLE[c & 0xff] as number) ^ (c >>> 8);
    TABLE[t * 256 + n] = c;
  }
}

/**
 * CRC-32 of `bytes[start, end)`, continuing from `crc` (the result of a previous call over the
 * preceding bytes; 0 to start). Returns an unsigned 32-bit number.
 */
export function crc32(bytes: Uint8Array, crc = 0, start = 0, end: number = bytes.length): number {
  const t = TABLE;
  let c = ~crc;
  let i = start;
  const end4 = end - ((end - start) & 3);
  for (; i < end4; i += 4) {
    c ^= (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24);
    c = (t[768 + (c & 0xff)] as number) ^ (t[512 + ((c >>> 8) & 0xff)] as number) ^ (t[256 + ((c >>> 16) & 0xff)] as number) ^ (t[c >>> 24] as number);
  }
  for (; i < end; i++) c = (t[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

/** A CRC as the 8 lower-case hex digits `tensorpool consume` prints (`crc32=cbf43926`). */
export function crc32Hex(crc: number): string {
  return (crc >>> 0).toString(16).padStart(8, '0');
}
