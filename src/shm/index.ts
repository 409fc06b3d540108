/** src/shm: canonical layout, region URIs, containment, provisioning, epoch floor and epoch GC (SHM_LAYOUT.md §1–§12). */
export * from './shm-errors.js';
export * from './canonical-path.js';
export * from './region-uri.js';
export * from './containment.js';
export * from './fs-probe.js';
export * from './shm-context.js';
export * from './superblock-io.js';
export * from './provision-epoch.js';
export * from './epoch-files-intact.js';
export * from './epoch-floor.js';
export * from './epoch-gc.js';
export * from './map-region.js';
