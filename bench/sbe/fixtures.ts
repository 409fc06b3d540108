/** Values the SBE benchmark encodes: the PROTOCOL.md §5.2 / §5.3 examples. */
export const LEASE_ID = 7n;
export const CLIENT_TIMESTAMP_NS = 2500000000n;
export const CORRELATION_ID = 180388626433n;
export const EPOCH = 2000000000n;
export const EXPIRY_NS = 5000000000n;
export const POOL_URI = 'shm:file?path=/dev/shm/tensorpool-alice/default/10000/2000000000/1.pool';
export const HEADER_URI = 'shm:file?path=/dev/shm/tensorpool-alice/default/10000/2000000000/header.ring';

/** Result sink so the optimiser cannot drop the work being measured. */
export const sink = { n: 0 };
