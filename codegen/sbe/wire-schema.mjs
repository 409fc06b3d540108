// Wire / tensor pool schema (id 900, version 1, semanticVersion "1.1"), written by hand from
// PROTOCOL.md §3 (Wire spec v1.2 §16) and SHM_LAYOUT.md. Offsets are the spec's; generate.mjs
// checks that fields pack back to back and sum to blockLength. `header: false` marks the SHM-only
// structures stored without a message header (§1.2).
export default {
  name: 'wire',
  dir: 'wire',
  constPrefix: 'WIRE',
  package: 'shm.tensorpool.control',
  id: 900,
  version: 1,
  semanticVersion: '1.1',
  section: 'PROTOCOL.md §3',
  enums: [
    { name: 'Bool', encoding: 'u8', section: '§3.2', doc: 'Boolean flag.', values: [['FALSE', 0], ['TRUE', 1]] },
    { name: 'Mode', encoding: 'u8', section: '§3.2', doc: 'Consumer delivery mode.', values: [['STREAM', 1], ['RATE_LIMITED', 2]] },
    {
      name: 'FrameProgressState', encoding: 'u8', section: '§3.2', doc: 'State of a frame being filled.',
      values: [['UNKNOWN', 0], ['STARTED', 1], ['PROGRESS', 2], ['COMPLETE', 3]],
    },
    {
      name: 'ProgressUnit', encoding: 'u8', section: '§3.2', doc: 'Unit of progress reporting.',
      values: [['NONE', 0], ['ROWS', 1], ['COLUMNS', 2]],
    },
    // Same name and values as the driver schema's ResponseCode; one TypeScript enum serves both.
    { name: 'ResponseCode', sameAs: 'driver', encoding: 'i32', section: '§3.2' },
    {
      name: 'ClockDomain', encoding: 'u8', section: '§3.2', doc: 'Clock of ShmPoolAnnounce.announceTimestampNs.',
      values: [['MONOTONIC', 1], ['REALTIME_SYNCED', 2]],
    },
    {
      name: 'RegionType', encoding: 'i16', section: '§3.2', doc: 'Kind of SHM region (superblock).',
      values: [['HEADER_RING', 1], ['PAYLOAD_POOL', 2]],
    },
    {
      name: 'Dtype', encoding: 'i16', section: '§3.2', doc: 'Tensor element type (frozen for v1.x; 12 unassigned).',
      values: [
        ['UNKNOWN', 0], ['UINT8', 1], ['INT8', 2], ['UINT16', 3], ['INT16', 4], ['UINT32', 5], ['INT32', 6],
        ['UINT64', 7], ['INT64', 8], ['FLOAT32', 9], ['FLOAT64', 10], ['BOOLEAN', 11], ['BYTES', 13], ['BIT', 14],
      ],
    },
    {
      name: 'MajorOrder', encoding: 'i16', section: '§3.2', doc: 'Tensor storage order.',
      values: [['UNKNOWN', 0], ['ROW', 1], ['COLUMN', 2]],
    },
  ],
  messages: [
    {
      name: 'ShmPoolAnnounce', id: 1, blockLength: 35, section: '§3.4',
      doc: 'Driver → all (announce stream): the regions of a stream epoch.',
      fields: [
        { name: 'streamId', id: 1, type: 'u32', offset: 0 },
        { name: 'producerId', id: 2, type: 'u32', offset: 4, doc: 'clientId of the producer lease, 0 if none' },
        { name: 'epoch', id: 3, type: 'u64', offset: 8 },
        { name: 'announceTimestampNs', id: 4, type: 'u64', offset: 16, doc: 'in announceClockDomain' },
        { name: 'announceClockDomain', id: 5, type: 'ClockDomain', offset: 24 },
        { name: 'layoutVersion', id: 6, type: 'u32', offset: 25 },
        { name: 'headerNslots', id: 7, type: 'u32', offset: 29, doc: 'power of two' },
        { name: 'headerSlotBytes', id: 8, type: 'u16', offset: 33, doc: 'must be 256' },
      ],
      groups: [
        {
          // Same layout as the driver schema's ShmAttachResponse.payloadPools (checked by generate.mjs).
          name: 'payloadPools', id: 9, blockLength: 10, shared: 'PayloadPools', sameAs: 'driver', doc: 'payload pools of the stream',
          fields: [
            { name: 'poolId', id: 1, type: 'u16', offset: 0 },
            { name: 'poolNslots', id: 2, type: 'u32', offset: 2 },
            { name: 'strideBytes', id: 3, type: 'u32', offset: 6 },
          ],
          varData: [{ name: 'regionUri', id: 4, type: 'ascii', doc: 'shm:file URI of the pool' }],
        },
      ],
      varData: [{ name: 'headerRegionUri', id: 10, type: 'ascii', doc: 'shm:file URI of the header ring' }],
    },
    {
      name: 'ConsumerHello', id: 2, blockLength: 39, section: '§3.5',
      doc: 'Consumer → producer/driver: capabilities and per-consumer stream requests.',
      fields: [
        { name: 'streamId', id: 1, type: 'u32', offset: 0 },
        { name: 'consumerId', id: 2, type: 'u32', offset: 4 },
        { name: 'supportsShm', id: 3, type: 'Bool', offset: 8 },
        { name: 'supportsProgress', id: 4, type: 'Bool', offset: 9 },
        { name: 'mode', id: 5, type: 'Mode', offset: 10 },
        { name: 'maxRateHz', id: 6, type: 'u32', offset: 11, doc: '0 = unlimited' },
        { name: 'expectedLayoutVersion', id: 7, type: 'u32', offset: 15 },
        { name: 'progressIntervalUs', id: 8, type: 'u32', offset: 19, optional: true, doc: 'recommended default 250' },
        { name: 'progressBytesDelta', id: 9, type: 'u32', offset: 23, optional: true, doc: 'recommended default 65536' },
        { name: 'progressMajorDeltaUnits', id: 10, type: 'u32', offset: 27, optional: true, doc: 'recommended default 0' },
        { name: 'descriptorStreamId', id: 11, type: 'u32', offset: 31, doc: 'requested per-consumer stream; 0 = none' },
        { name: 'controlStreamId', id: 12, type: 'u32', offset: 35, doc: 'requested per-consumer stream; 0 = none' },
      ],
      varData: [
        { name: 'descriptorChannel', id: 13, type: 'ascii', doc: 'empty = not requested' },
        { name: 'controlChannel', id: 14, type: 'ascii', doc: 'empty = not requested' },
      ],
    },
    {
      name: 'ConsumerConfig', id: 3, blockLength: 18, section: '§3.6',
      doc: 'Driver/producer → consumer: per-consumer stream assignment. Field id 5 does not exist.',
      fields: [
        { name: 'streamId', id: 1, type: 'u32', offset: 0 },
        { name: 'consumerId', id: 2, type: 'u32', offset: 4 },
        { name: 'useShm', id: 3, type: 'Bool', offset: 8 },
        { name: 'mode', id: 4, type: 'Mode', offset: 9 },
        { name: 'descriptorStreamId', id: 6, type: 'u32', offset: 10, doc: '0 = none/declined' },
        { name: 'controlStreamId', id: 7, type: 'u32', offset: 14, doc: '0 = none/declined' },
      ],
      varData: [
        { name: 'payloadFallbackUri', id: 8, type: 'ascii', doc: 'empty = none' },
        { name: 'descriptorChannel', id: 9, type: 'ascii', doc: 'empty = not assigned' },
        { name: 'controlChannel', id: 10, type: 'ascii', doc: 'empty = not assigned' },
      ],
    },
    {
      name: 'FrameDescriptor', id: 4, blockLength: 40, section: '§3.7',
      doc: 'Producer → consumers: frame `seq` is committed. Always 48 bytes.',
      fields: [
        { name: 'streamId', id: 1, type: 'u32', offset: 0 },
        { name: 'epoch', id: 2, type: 'u64', offset: 4 },
        { name: 'seq', id: 3, type: 'u64', offset: 12, doc: "equals the slot's seqCommit >> 1" },
        { name: 'timestampNs', id: 4, type: 'u64', offset: 20, optional: true, doc: 'publish time' },
        { name: 'metaVersion', id: 5, type: 'u32', offset: 28, optional: true },
        { name: 'traceId', id: 6, type: 'u64', offset: 32, optional: true, nullValue: '0', doc: 'null is 0 (explicit nullValue)' },
      ],
    },
    {
      name: 'QosConsumer', id: 5, blockLength: 41, section: '§3.8',
      doc: 'Consumer → all (QoS stream): consumer progress and drops.',
      fields: [
        { name: 'streamId', id: 1, type: 'u32', offset: 0 },
        { name: 'consumerId', id: 2, type: 'u32', offset: 4 },
        { name: 'epoch', id: 3, type: 'u64', offset: 8 },
        { name: 'lastSeqSeen', id: 4, type: 'u64', offset: 16 },
        { name: 'dropsGap', id: 5, type: 'u64', offset: 24 },
        { name: 'dropsLate', id: 6, type: 'u64', offset: 32 },
        { name: 'mode', id: 7, type: 'Mode', offset: 40 },
      ],
    },
    {
      name: 'QosProducer', id: 6, blockLength: 28, section: '§3.9',
      doc: 'Producer → all (QoS stream): producer progress.',
      fields: [
        { name: 'streamId', id: 1, type: 'u32', offset: 0 },
        { name: 'producerId', id: 2, type: 'u32', offset: 4 },
        { name: 'epoch', id: 3, type: 'u64', offset: 8 },
        { name: 'currentSeq', id: 4, type: 'u64', offset: 16 },
        { name: 'watermark', id: 5, type: 'u32', offset: 24, optional: true },
      ],
    },
    {
      name: 'DataSourceAnnounce', id: 7, blockLength: 20, section: '§3.10',
      doc: 'Producer → all (metadata stream): names a data source.',
      fields: [
        { name: 'streamId', id: 1, type: 'u32', offset: 0 },
        { name: 'producerId', id: 2, type: 'u32', offset: 4 },
        { name: 'epoch', id: 3, type: 'u64', offset: 8 },
        { name: 'metaVersion', id: 4, type: 'u32', offset: 16 },
      ],
      varData: [
        { name: 'name', id: 5, type: 'ascii' },
        { name: 'summary', id: 6, type: 'ascii' },
      ],
    },
    {
      name: 'DataSourceMeta', id: 8, blockLength: 16, section: '§3.11',
      doc: 'Producer → all (metadata stream): key/format/value attributes of a data source.',
      fields: [
        { name: 'streamId', id: 1, type: 'u32', offset: 0 },
        { name: 'metaVersion', id: 2, type: 'u32', offset: 4 },
        { name: 'timestampNs', id: 3, type: 'u64', offset: 8 },
      ],
      groups: [
        {
          name: 'attributes', id: 4, blockLength: 0, doc: 'attributes; entries have no fixed fields',
          fields: [],
          varData: [
            { name: 'key', id: 1, type: 'ascii' },
            { name: 'format', id: 2, type: 'ascii', doc: 'e.g. text/plain, application/json, sbe:<schemaId>.<templateId>' },
            { name: 'value', id: 3, type: 'data', doc: 'raw bytes' },
          ],
        },
      ],
    },
    {
      name: 'ControlResponse', id: 9, blockLength: 12, section: '§3.12',
      doc: 'Responder → requester: generic result. Not used by the driver.',
      fields: [
        { name: 'correlationId', id: 1, type: 'i64', offset: 0 },
        { name: 'code', id: 2, type: 'ResponseCode', offset: 8 },
      ],
      varData: [{ name: 'errorMessage', id: 3, type: 'ascii' }],
    },
    {
      name: 'FrameProgress', id: 11, blockLength: 29, section: '§3.13',
      doc: 'Producer → opted-in consumers: how much of frame `seq` is filled. Always 37 bytes.',
      fields: [
        { name: 'streamId', id: 1, type: 'u32', offset: 0 },
        { name: 'epoch', id: 2, type: 'u64', offset: 4 },
        { name: 'seq', id: 3, type: 'u64', offset: 12 },
        { name: 'payloadBytesFilled', id: 4, type: 'u64', offset: 20 },
        { name: 'state', id: 5, type: 'FrameProgressState', offset: 28 },
      ],
    },
    {
      name: 'ShmRegionSuperblock', id: 50, blockLength: 64, section: '§3.14, SHM_LAYOUT.md §2', header: false,
      doc: 'The 64-byte superblock at offset 0 of every SHM region (no message header).',
      fields: [
        { name: 'magic', id: 1, type: 'u64', offset: 0, doc: 'must be 0x544F504C53484D31 (SHM_LAYOUT.md §2.2)' },
        { name: 'layoutVersion', id: 2, type: 'u32', offset: 8 },
        { name: 'epoch', id: 3, type: 'u64', offset: 12 },
        { name: 'streamId', id: 4, type: 'u32', offset: 20 },
        { name: 'regionType', id: 5, type: 'RegionType', offset: 24 },
        { name: 'poolId', id: 6, type: 'u16', offset: 26, doc: '0 for the header ring' },
        { name: 'nslots', id: 7, type: 'u32', offset: 28 },
        { name: 'slotBytes', id: 8, type: 'u32', offset: 32 },
        { name: 'strideBytes', id: 9, type: 'u32', offset: 36 },
        { name: 'pid', id: 10, type: 'u64', offset: 40 },
        { name: 'startTimestampNs', id: 11, type: 'u64', offset: 48 },
        { name: 'activityTimestampNs', id: 12, type: 'u64', offset: 56, doc: 'liveness stamp' },
      ],
    },
    {
      name: 'SlotHeader', id: 51, blockLength: 60, section: '§3.15, SHM_LAYOUT.md §3.2', header: false,
      doc: 'One 256-byte header-ring slot (no message header); headerBytes holds an embedded TensorHeader. ' +
        'The seqCommit accessors are plain reads/writes: the seqlock itself needs Atomics (SHM_LAYOUT.md §5).',
      fields: [
        { name: 'seqCommit', id: 1, type: 'u64', offset: 0, doc: 'seqlock word: (seq << 1) | committed' },
        { name: 'valuesLenBytes', id: 2, type: 'u32', offset: 8 },
        { name: 'payloadSlot', id: 3, type: 'u32', offset: 12 },
        { name: 'poolId', id: 4, type: 'u16', offset: 16 },
        { name: 'payloadOffset', id: 5, type: 'u32', offset: 18, doc: 'must be 0 in v1.2' },
        { name: 'timestampNs', id: 6, type: 'u64', offset: 22, doc: 'capture/source time' },
        { name: 'metaVersion', id: 7, type: 'u32', offset: 30 },
        { name: 'pad', id: 8, type: 'u8', length: 26, offset: 34, pad: true },
      ],
      varData: [{ name: 'headerBytes', id: 9, type: 'data', doc: 'embedded TensorHeader message; length 192 in v1.2' }],
    },
    {
      name: 'TensorHeader', id: 52, blockLength: 184, section: '§3.16, SHM_LAYOUT.md §3.2',
      doc: 'Tensor shape and layout, stored with its message header inside SlotHeader.headerBytes (192 bytes).',
      fields: [
        { name: 'dtype', id: 1, type: 'Dtype', offset: 0 },
        { name: 'majorOrder', id: 2, type: 'MajorOrder', offset: 2 },
        { name: 'ndims', id: 3, type: 'u8', offset: 4, doc: '1..8' },
        { name: 'maxDims', id: 4, type: 'u8', constant: 8, doc: 'schema constant MaxDimsConst, not encoded' },
        { name: 'padAlign', id: 5, type: 'u8', offset: 5, doc: 'RI writes 0; ignore' },
        { name: 'progressUnit', id: 6, type: 'ProgressUnit', offset: 6 },
        { name: 'progressStrideBytes', id: 7, type: 'u32', offset: 7, doc: 'minValue 1 not enforced: 0 is valid with progressUnit NONE (P2)' },
        { name: 'dims', id: 8, type: 'i32', length: 8, offset: 11, doc: 'entries ≥ ndims are 0' },
        { name: 'strides', id: 9, type: 'i32', length: 8, offset: 43, doc: 'bytes; 0 = infer contiguous' },
        { name: 'pad', id: 10, type: 'u8', length: 109, offset: 75, pad: true },
      ],
    },
  ],
};
