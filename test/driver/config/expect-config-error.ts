/** Asserts a ConfigError naming the key, the offending value and its source (CONFIG.md §7). */
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/driver/config/index.js';

export interface Expected {
  readonly key: string | null;
  /** Substring of the message stating the rule. */
  readonly rule?: string;
  /** Substring of the `(got … from …)` part, e.g. `"abc" from env POLICIES_ANNOUNCE_PERIOD_MS`. */
  readonly got?: string;
}

export function expectConfigError(run: () => unknown, expected: Expected): ConfigError {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.equal(caught.code, 'TP_ERR_CONFIG');
  assert.equal(caught.key, expected.key, caught.message);
  if (expected.key !== null) assert.ok(caught.message.startsWith(`${expected.key}: `), caught.message);
  if (expected.rule !== undefined) assert.ok(caught.message.includes(expected.rule), caught.message);
  if (expected.got !== undefined) assert.ok(caught.message.includes(`(got ${expected.got})`), caught.message);
  return caught;
}

/** A small valid document: one profile, one static stream, no dynamic streams. */
export const MINIMAL_TOML = `
[profiles.p]
header_nslots = 8
payload_pools = [{ pool_id = 1, stride_bytes = 64 }]

[streams.s]
stream_id = 10000
profile   = "p"
`;
