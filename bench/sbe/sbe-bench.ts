/**
 * `npm run bench -- sbe`: ns/op and bytes allocated per op of the tensorpool/sbe codecs against a
 * raw-DataView baseline measured in the same run, for ShmLeaseKeepalive, ShmAttachResponse (one
 * pool, two URIs) and ShmPoolAnnounce (one pool). Ratio = codec ns/op ÷ baseline ns/op.
 */
import { formatRate, measure, printTable, type Loop, type Measurement } from '../lib/measure.js';
import type { SuiteResult } from '../run.js';
import * as codec from './codec-loops.js';
import * as raw from './raw-dataview.js';

interface Case {
  readonly name: string;
  readonly codec: Loop;
  readonly baseline: Loop;
}

/** Alternates `encode` and `decode` in chunks: one op = one encode + one decode. */
function both(encode: Loop, decode: Loop): Loop {
  return (n) => {
    for (let i = 0; i < n; i += 1000) {
      const k = Math.min(1000, n - i);
      encode(k);
      decode(k);
    }
  };
}

function roundTrip(name: string, codecEnc: Loop, codecDec: Loop, rawEnc: Loop, rawDec: Loop): Case {
  return { name: `${name} encode+decode`, codec: both(codecEnc, codecDec), baseline: both(rawEnc, rawDec) };
}

function cases(): Case[] {
  // Separate buffers per loop so codec and baseline never share a hidden-class or cache history.
  const buf = (): Uint8Array => new Uint8Array(512);
  const kaC = buf();
  const kaR = buf();
  const arC = buf();
  const arR = buf();
  const paC = buf();
  const paR = buf();
  // Fill the decode inputs once with the encoders.
  codec.keepaliveEncode(kaC)(1);
  raw.rawKeepaliveEncode(kaR)(1);
  codec.attachResponseEncode(arC)(1);
  raw.rawAttachResponseEncode(arR)(1);
  codec.poolAnnounceEncode(paC)(1);
  raw.rawPoolAnnounceEncode(paR)(1);
  return [
    { name: 'ShmLeaseKeepalive encode', codec: codec.keepaliveEncode(kaC), baseline: raw.rawKeepaliveEncode(kaR) },
    { name: 'ShmLeaseKeepalive decode', codec: codec.keepaliveDecode(kaC), baseline: raw.rawKeepaliveDecode(kaR) },
    roundTrip('ShmLeaseKeepalive', codec.keepaliveEncode(kaC), codec.keepaliveDecode(kaC),
      raw.rawKeepaliveEncode(kaR), raw.rawKeepaliveDecode(kaR)),
    { name: 'ShmLeaseKeepalive decode (bigint getters)', codec: codec.keepaliveDecodeBigint(kaC), baseline: raw.rawKeepaliveDecode(kaR) },
    { name: 'ShmAttachResponse encode', codec: codec.attachResponseEncode(arC), baseline: raw.rawAttachResponseEncode(arR) },
    { name: 'ShmAttachResponse decode', codec: codec.attachResponseDecode(arC), baseline: raw.rawAttachResponseDecode(arR) },
    roundTrip('ShmAttachResponse', codec.attachResponseEncode(arC), codec.attachResponseDecode(arC),
      raw.rawAttachResponseEncode(arR), raw.rawAttachResponseDecode(arR)),
    { name: 'ShmPoolAnnounce encode', codec: codec.poolAnnounceEncode(paC), baseline: raw.rawPoolAnnounceEncode(paR) },
    { name: 'ShmPoolAnnounce decode', codec: codec.poolAnnounceDecode(paC), baseline: raw.rawPoolAnnounceDecode(paR) },
    roundTrip('ShmPoolAnnounce', codec.poolAnnounceEncode(paC), codec.poolAnnounceDecode(paC),
      raw.rawPoolAnnounceEncode(paR), raw.rawPoolAnnounceDecode(paR)),
  ];
}

export interface SbeBenchRow {
  readonly case: string;
  readonly codec: Measurement;
  readonly baseline: Measurement;
  /** codec ns/op ÷ baseline ns/op. */
  readonly ratio: number;
}

export async function run(): Promise<SuiteResult> {
  const options = { ops: 2_000_000, rounds: 5, warmup: 500_000, allocOps: 500_000 };
  const rows: SbeBenchRow[] = [];
  for (const c of cases()) {
    const m = measure(`${c.name} (codec)`, c.codec, options);
    const b = measure(`${c.name} (raw DataView)`, c.baseline, options);
    rows.push({ case: c.name, codec: m, baseline: b, ratio: m.nsPerOp / b.nsPerOp });
  }
  console.log('\nSBE codecs vs raw DataView baseline (same run; ratio = codec ns ÷ baseline ns)\n');
  printTable(
    ['case', 'codec ns/op', 'codec B/op', 'codec rate', 'raw ns/op', 'raw B/op', 'ratio'],
    rows.map((r) => [
      r.case, r.codec.nsPerOp.toFixed(1), r.codec.bytesPerOp.toFixed(1), formatRate(r.codec.opsPerSec),
      r.baseline.nsPerOp.toFixed(1), r.baseline.bytesPerOp.toFixed(1), r.ratio.toFixed(2),
    ]),
  );
  return { suite: 'sbe', results: rows };
}
