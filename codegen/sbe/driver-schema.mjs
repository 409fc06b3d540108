// Driver control schema (id 901, version 1), written by hand from PROTOCOL.md §2 (Driver Model
// spec v1.0 Appendix A). Offsets are the spec's; generate.mjs checks that fields pack back to back
// and sum to blockLength. Field ids are metadata only (never encoded, §1.1).
export default {
  name: 'driver',
  dir: 'driver',
  constPrefix: 'DRIVER',
  package: 'shm.tensorpool.driver',
  id: 901,
  version: 1,
  semanticVersion: '1.0',
  section: 'PROTOCOL.md §2',
  enums: [
    {
      name: 'HugepagesPolicy', encoding: 'u8', section: '§2.2',
      doc: 'Hugepage requirement of an attach request.',
      values: [['UNSPECIFIED', 0, 'use the driver default'], ['STANDARD', 1], ['HUGEPAGES', 2]],
    },
    {
      name: 'ResponseCode', encoding: 'i32', section: '§2.2',
      doc: 'Outcome of a request (same values in the wire schema).',
      values: [['OK', 0], ['UNSUPPORTED', 1], ['INVALID_PARAMS', 2], ['REJECTED', 3], ['INTERNAL_ERROR', 4]],
    },
    {
      name: 'Role', encoding: 'u8', section: '§2.2',
      doc: 'Role of a lease holder.',
      values: [['PRODUCER', 1], ['CONSUMER', 2]],
    },
    {
      name: 'PublishMode', encoding: 'u8', section: '§2.2',
      doc: 'Whether a producer attach may create the stream.',
      values: [['REQUIRE_EXISTING', 1], ['EXISTING_OR_CREATE', 2]],
    },
    {
      name: 'LeaseRevokeReason', encoding: 'u8', section: '§2.2',
      doc: 'Why a lease ended.',
      values: [['DETACHED', 1], ['EXPIRED', 2], ['REVOKED', 3]],
    },
    {
      name: 'ShutdownReason', encoding: 'u8', section: '§2.2',
      doc: 'Why the driver shuts down.',
      values: [['NORMAL', 0], ['ADMIN', 1], ['ERROR', 2]],
    },
  ],
  messages: [
    {
      name: 'ShmAttachRequest', id: 1, blockLength: 27, section: '§2.4',
      doc: 'Client → driver: attach to a stream as producer or consumer. Always 35 bytes.',
      fields: [
        { name: 'correlationId', id: 1, type: 'i64', offset: 0, doc: 'client-chosen, echoed by the driver' },
        { name: 'streamId', id: 2, type: 'u32', offset: 8 },
        { name: 'clientId', id: 3, type: 'u32', offset: 12, doc: 'non-zero once assigned' },
        { name: 'role', id: 4, type: 'Role', offset: 16 },
        { name: 'expectedLayoutVersion', id: 5, type: 'u32', offset: 17, doc: '0 = no expectation' },
        { name: 'publishMode', id: 6, type: 'PublishMode', offset: 21, optional: true, doc: 'RI driver treats null as REQUIRE_EXISTING' },
        { name: 'requireHugepages', id: 7, type: 'HugepagesPolicy', offset: 22, doc: 'UNSPECIFIED = driver default' },
        { name: 'desiredNodeId', id: 8, type: 'u32', offset: 23, optional: true },
      ],
    },
    {
      name: 'ShmAttachResponse', id: 2, blockLength: 54, section: '§2.5',
      doc: 'Driver → client: result of an attach; on OK the lease and the regions to map.',
      fields: [
        { name: 'correlationId', id: 1, type: 'i64', offset: 0, doc: 'echo of the request' },
        { name: 'code', id: 2, type: 'ResponseCode', offset: 8 },
        { name: 'leaseId', id: 3, type: 'u64', offset: 12, optional: true },
        { name: 'leaseExpiryTimestampNs', id: 4, type: 'u64', offset: 20, optional: true },
        { name: 'streamId', id: 5, type: 'u32', offset: 28, optional: true },
        { name: 'epoch', id: 6, type: 'u64', offset: 32, optional: true },
        { name: 'layoutVersion', id: 7, type: 'u32', offset: 40, optional: true },
        { name: 'headerNslots', id: 8, type: 'u32', offset: 44, optional: true },
        { name: 'headerSlotBytes', id: 9, type: 'u16', offset: 48, optional: true, doc: '256 on OK' },
        { name: 'nodeId', id: 10, type: 'u32', offset: 50, optional: true },
      ],
      groups: [
        {
          // Same entry layout as ShmPoolAnnounce.payloadPools: one shared PayloadPools flyweight serves both.
          name: 'payloadPools', id: 20, blockLength: 10, shared: 'PayloadPools', doc: 'payload pools of the stream',
          fields: [
            { name: 'poolId', id: 1, type: 'u16', offset: 0 },
            { name: 'poolNslots', id: 2, type: 'u32', offset: 2 },
            { name: 'strideBytes', id: 3, type: 'u32', offset: 6 },
          ],
          varData: [{ name: 'regionUri', id: 4, type: 'ascii', doc: 'shm:file URI of the pool' }],
        },
      ],
      varData: [
        { name: 'headerRegionUri', id: 11, type: 'ascii', doc: 'shm:file URI of the header ring; empty unless OK' },
        { name: 'errorMessage', id: 30, type: 'ascii', doc: 'diagnostic; empty on OK (≤ 1024 bytes recommended)' },
      ],
    },
    {
      name: 'ShmDetachRequest', id: 3, blockLength: 25, section: '§2.6',
      doc: 'Client → driver: give a lease back.',
      fields: [
        { name: 'correlationId', id: 1, type: 'i64', offset: 0 },
        { name: 'leaseId', id: 2, type: 'u64', offset: 8 },
        { name: 'streamId', id: 3, type: 'u32', offset: 16 },
        { name: 'clientId', id: 4, type: 'u32', offset: 20 },
        { name: 'role', id: 5, type: 'Role', offset: 24 },
      ],
    },
    {
      name: 'ShmDetachResponse', id: 4, blockLength: 12, section: '§2.7',
      doc: 'Driver → client: result of a detach.',
      fields: [
        { name: 'correlationId', id: 1, type: 'i64', offset: 0, doc: 'echo of the request' },
        { name: 'code', id: 2, type: 'ResponseCode', offset: 8 },
      ],
      varData: [{ name: 'errorMessage', id: 3, type: 'ascii', doc: 'empty on OK' }],
    },
    {
      name: 'ShmLeaseKeepalive', id: 5, blockLength: 25, section: '§2.8',
      doc: 'Client → driver: keeps a lease alive. Always 33 bytes; no response exists.',
      fields: [
        { name: 'leaseId', id: 1, type: 'u64', offset: 0 },
        { name: 'streamId', id: 2, type: 'u32', offset: 8 },
        { name: 'clientId', id: 3, type: 'u32', offset: 12 },
        { name: 'role', id: 4, type: 'Role', offset: 16 },
        { name: 'clientTimestampNs', id: 5, type: 'u64', offset: 17, doc: 'informational' },
      ],
    },
    {
      name: 'ShmDriverShutdown', id: 6, blockLength: 9, section: '§2.9',
      doc: 'Driver → all: the driver is shutting down.',
      fields: [
        { name: 'timestampNs', id: 1, type: 'u64', offset: 0 },
        { name: 'reason', id: 2, type: 'ShutdownReason', offset: 8 },
      ],
      varData: [{ name: 'errorMessage', id: 3, type: 'ascii', doc: 'may be empty' }],
    },
    {
      name: 'ShmLeaseRevoked', id: 7, blockLength: 26, section: '§2.10',
      doc: 'Driver → all: a lease ended. Clients reject unknown role/reason values (§1.6 rule 10).',
      fields: [
        { name: 'timestampNs', id: 1, type: 'u64', offset: 0 },
        { name: 'leaseId', id: 2, type: 'u64', offset: 8 },
        { name: 'streamId', id: 3, type: 'u32', offset: 16 },
        { name: 'clientId', id: 4, type: 'u32', offset: 20 },
        { name: 'role', id: 5, type: 'Role', offset: 24 },
        { name: 'reason', id: 6, type: 'LeaseRevokeReason', offset: 25 },
      ],
      varData: [{ name: 'errorMessage', id: 7, type: 'ascii', doc: 'RI always empty' }],
    },
    {
      name: 'ShmDriverShutdownRequest', id: 8, blockLength: 9, section: '§2.11',
      doc: 'Admin → driver: ask the driver to shut down.',
      fields: [
        { name: 'correlationId', id: 1, type: 'i64', offset: 0, doc: 'no response carries it back' },
        { name: 'reason', id: 2, type: 'ShutdownReason', offset: 8, doc: 'copied into the final ShmDriverShutdown' },
      ],
      varData: [
        { name: 'token', id: 3, type: 'ascii', doc: 'must equal the configured shutdown token' },
        { name: 'errorMessage', id: 4, type: 'ascii', doc: 'copied into the final ShmDriverShutdown' },
      ],
    },
  ],
};
