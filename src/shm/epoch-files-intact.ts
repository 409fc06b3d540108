/**
 * Whether a provisioned epoch's region files are still what the driver created: each one a
 * regular file (lstat: a symlink, FIFO or device swapped in does not count) at least as large as
 * its region (SHM_LAYOUT §1). The driver asks before granting a consumer the current epoch: a
 * file deleted or truncated under a running driver would otherwise be handed to every new
 * consumer, which could never map it (found by the fault-injection suite, issue 7).
 */
import { lstatSync } from 'node:fs';
import { regionSize } from './provision-epoch.js';
import { parseRegionUri } from './region-uri.js';
import { HEADER_SLOT_BYTES } from './superblock-io.js';

export interface EpochRegions {
  readonly header: { readonly uri: string; readonly nslots: number };
  readonly pools: readonly { readonly uri: string; readonly nslots: number; readonly strideBytes: number }[];
}

export function epochFilesIntact(epoch: EpochRegions): boolean {
  if (!regionIntact(epoch.header.uri, regionSize(epoch.header.nslots, HEADER_SLOT_BYTES))) return false;
  for (const p of epoch.pools) if (!regionIntact(p.uri, regionSize(p.nslots, p.strideBytes))) return false;
  return true;
}

function regionIntact(uri: string, size: number): boolean {
  try {
    const st = lstatSync(parseRegionUri(uri).path);
    return st.isFile() && st.size >= size;
  } catch {
    return false; // gone (ENOENT), unreadable directory, or a URI we no longer accept
  }
}
