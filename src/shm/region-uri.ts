/**
 * Region URIs (SHM_LAYOUT.md §8): `shm:file?path=<abs-path>[|require_hugepages=true|false]`.
 *
 * The parser follows the §8.1 grammar, which is stricter than the RI parser:
 * - `path` must come first and appear once; `require_hugepages` may follow once. The RI accepts
 *   any order and lets a repeated `path` win; a URI that only such leniency accepts was not
 *   produced by any conforming driver, so it is rejected rather than guessed at (§8.2 "any → rejected").
 * - the path is checked against `abs-path` (visible ASCII 0x21–0x7E except `?` and `|`), which the
 *   RI parser does not do itself.
 * Hugepage backing (§8.2 rule 4) and containment (rule 5) concern the file, not the text: see
 * `hugepages.ts` and `containment.ts`.
 */
import { ShmUriError } from './shm-errors.js';

export const SHM_URI_PREFIX = 'shm:file?';

export interface RegionUri {
  /** Absolute path exactly as written in the URI (not canonicalised: §10 does that). */
  readonly path: string;
  /** Default false when the parameter is absent (§8.1). */
  readonly requireHugepages: boolean;
}

/** `abs-path` of §8.1: starts with '/', only visible ASCII, no '?', '|' (space is not visible). */
function pathProblem(path: string): string | undefined {
  if (path === '') return 'path is empty';
  if (!path.startsWith('/')) return 'path is not absolute (must start with "/")';
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return `path contains a character outside visible ASCII at index ${i}`;
    if (c === 0x3f /* ? */ || c === 0x7c /* | */) return `path contains "${path[i]}" at index ${i}`;
  }
  return undefined;
}

/**
 * Formats a region URI. `requireHugepages=true` appends `|require_hugepages=true` (what the RI
 * driver does when `shm.require_hugepages` is set, §8.1); false emits no parameter (the default).
 * Throws ShmUriError when the path cannot be expressed in the grammar.
 */
export function formatRegionUri(path: string, requireHugepages: boolean): string {
  const problem = pathProblem(path);
  if (problem !== undefined) {
    throw new ShmUriError(`cannot form a shm:file URI for ${JSON.stringify(path)}: ${problem}`);
  }
  return `${SHM_URI_PREFIX}path=${path}${requireHugepages ? '|require_hugepages=true' : ''}`;
}

/** Parses a region URI or throws ShmUriError (code TP_ERR_SHM_URI) naming the broken §8.2 rule. */
export function parseRegionUri(uri: string): RegionUri {
  const reject = (rule: string, why: string): never => {
    throw new ShmUriError(`rejected shm URI ${JSON.stringify(uri)} (SHM_LAYOUT §8.2 ${rule}): ${why}`);
  };
  // §8.2 rule 1: the prefix must be exactly `shm:file?` (case-sensitive).
  if (!uri.startsWith(SHM_URI_PREFIX)) return reject('rule 1', 'scheme must be exactly "shm:file?"');
  const rest = uri.slice(SHM_URI_PREFIX.length);
  if (rest === '') return reject('rule 2', 'missing "path" parameter');
  const pieces = rest.split('|');
  let path: string | undefined;
  let requireHugepages: boolean | undefined;
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] ?? '';
    const eq = piece.indexOf('=');
    // Rule 3: a parameter without '='. (An empty piece, e.g. a trailing '|', is one too.)
    if (eq < 0) return reject('rule 3', `parameter ${JSON.stringify(piece)} has no "="`);
    const name = piece.slice(0, eq);
    const value = piece.slice(eq + 1);
    if (name === 'path') {
      if (path !== undefined) return reject('rule 3', 'parameter "path" is repeated');
      if (i !== 0) return reject('rule 3', 'parameter "path" must come first (§8.1 grammar)');
      const problem = pathProblem(value);
      if (problem !== undefined) return reject('rule 2', problem);
      path = value;
    } else if (name === 'require_hugepages') {
      if (requireHugepages !== undefined) return reject('rule 3', 'parameter "require_hugepages" is repeated');
      if (value === 'true') requireHugepages = true;
      else if (value === 'false') requireHugepages = false;
      else return reject('rule 3', `require_hugepages must be "true" or "false", got ${JSON.stringify(value)}`);
    } else {
      return reject('rule 3', `unknown parameter ${JSON.stringify(name)} (only "path" and "require_hugepages")`);
    }
  }
  if (path === undefined) return reject('rule 2', 'missing "path" parameter');
  return { path, requireHugepages: requireHugepages ?? false };
}
