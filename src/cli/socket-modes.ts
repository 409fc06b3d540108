/** Modes of `tensorpool driver`'s control socket, derived from the SHM permissions. */
import { dirModeFor } from '../shm/shm-context.js';

/**
 * The control socket and the directories made for it follow `shm.permissions_mode`, as the region
 * files and SHM directories do (SHM_LAYOUT §11): whoever may open the regions may connect, nobody
 * else. Connecting needs write permission on a socket, so each class with r or w on the files
 * gets rw on the socket; directories get x wherever r or w (dirModeFor) but never o+w (TRANSPORT.md
 * §7 refuses a world-writable socket directory). The default "660" gives the documented 0660/0770;
 * "600" makes the socket 0600 in 0700 directories, so a private driver is private to its user.
 */
export function socketModesFor(permissionsMode: number): { socketMode: number; socketDirMode: number } {
  let socketMode = 0;
  for (const shift of [6, 3, 0]) {
    if (((permissionsMode >> shift) & 0o6) !== 0) socketMode |= 0o6 << shift;
  }
  return { socketMode, socketDirMode: dirModeFor(permissionsMode) & ~0o002 };
}
