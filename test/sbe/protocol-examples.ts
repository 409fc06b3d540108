/**
 * The ShmAttachResponse worked examples of PROTOCOL.md §5.3 and §5.4 as bytes, shared by the codec's
 * golden tests (test/sbe/golden.test.ts) and the driver's byte-level rule test
 * (test/driver/rules-wire.test.ts).
 */
import { hex } from './hex.js';

/** §5.3: code OK, one pool, 235 bytes, verbatim. */
export const ATTACH_RESPONSE_OK_EXAMPLE = hex(`
36 00 02 00 85 03 01 00 01 00 00 00 2a 00 00 00 00 00 00 00 07 00 00 00 00 00 00 00
00 f2 05 2a 01 00 00 00 10 27 00 00 00 94 35 77 00 00 00 00 01 00 00 00 00 04 00 00
00 01 01 00 00 00 0a 00 01 00 01 00 00 04 00 00 00 00 10 00 47 00 00 00 73 68 6d 3a
66 69 6c 65 3f 70 61 74 68 3d 2f 64 65 76 2f 73 68 6d 2f 74 65 6e 73 6f 72 70 6f 6f
6c 2d 61 6c 69 63 65 2f 64 65 66 61 75 6c 74 2f 31 30 30 30 30 2f 32 30 30 30 30 30
30 30 30 30 2f 31 2e 70 6f 6f 6c 4c 00 00 00 73 68 6d 3a 66 69 6c 65 3f 70 61 74 68
3d 2f 64 65 76 2f 73 68 6d 2f 74 65 6e 73 6f 72 70 6f 6f 6c 2d 61 6c 69 63 65 2f 64
65 66 61 75 6c 74 2f 31 30 30 30 30 2f 32 30 30 30 30 30 30 30 30 30 2f 68 65 61 64
65 72 2e 72 69 6e 67 00 00 00 00`);

/** §5.4: code REJECTED "producer already attached", 99 bytes, built row by row from its table. */
export const ATTACH_RESPONSE_REJECTED_EXAMPLE = hex([
  '36 00 02 00 85 03 01 00', // header 54 / 2 / 901 / 1
  '02 00 00 00 2a 00 00 00', // correlationId 180388626434
  '03 00 00 00', // code REJECTED
  'ff ff ff ff ff ff ff ff', // leaseId null
  'ff ff ff ff ff ff ff ff', // leaseExpiryTimestampNs null
  'ff ff ff ff', // streamId null
  'ff ff ff ff ff ff ff ff', // epoch null
  'ff ff ff ff', // layoutVersion null
  'ff ff ff ff', // headerNslots null
  'ff ff', // headerSlotBytes null
  'ff ff ff ff', // nodeId null
  '0a 00 00 00', // payloadPools: blockLength 10, numInGroup 0
  '00 00 00 00', // headerRegionUri length 0
  '19 00 00 00', // errorMessage length 25
  '70 72 6f 64 75 63 65 72 20 61 6c 72 65 61 64 79 20 61 74 74 61 63 68 65 64',
].join(' '));
