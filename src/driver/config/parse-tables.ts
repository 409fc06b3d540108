/**
 * The TOML-only tables: `[profiles.<name>]` (CONFIG.md §5) and `[streams.<name>]` (§6), plus
 * the unknown-key check every table gets.
 */
import { ConfigError, ValueProblem, type ConfigSource } from './config-error.js';
import { KEY_DEFAULTS } from './default-config.js';
import { POOL_KEYS, PROFILE_KEYS, STREAM_KEYS, keyPath } from './config-keys.js';
import type { PoolConfig, ProfileConfig, StreamConfig } from './driver-config.js';
import { U16_MAX, U32_MAX, isPowerOfTwo, isTable, parseString, parseUint } from './parse-value.js';

/** Unknown keys are startup errors naming the key: a typo must not silently fall back to a default. */
export function checkKnownKeys(
  table: Readonly<Record<string, unknown>>,
  known: readonly string[],
  prefix: string,
  source: ConfigSource,
): void {
  for (const k of Object.keys(table)) {
    if (!known.includes(k)) {
      const where = prefix === '' ? 'the top level' : `[${prefix}]`;
      throw new ConfigError(prefix === '' ? keyPath(k) : `${prefix}.${keyPath(k)}`, `unknown key; ${where} accepts ${known.join(', ')}`, {
        value: table[k],
        source,
      });
    }
  }
}

/** Reads one field, adding key and source to any ValueProblem; `undefined` → required (V14). */
function field<T>(
  table: Readonly<Record<string, unknown>>,
  prefix: string,
  name: string,
  source: ConfigSource,
  parse: (v: unknown) => T,
  fallback?: T,
): T {
  const value = table[name];
  const key = `${prefix}.${name}`;
  if (value === undefined) {
    if (fallback === undefined) throw new ConfigError(key, 'is required (V14)');
    return fallback;
  }
  try {
    return parse(value);
  } catch (e) {
    if (e instanceof ValueProblem) throw new ConfigError(key, e.message, { value, source }, { cause: e });
    throw e;
  }
}

function rule<T>(check: (v: T) => boolean, problem: string, parse: (v: unknown) => T): (v: unknown) => T {
  return (v) => {
    const parsed = parse(v);
    if (!check(parsed)) throw new ValueProblem(problem);
    return parsed;
  };
}

const u32 = (v: unknown): number => parseUint(v, 'toml', U32_MAX);
const u16 = (v: unknown): number => parseUint(v, 'toml', U16_MAX);
const headerNslots = rule(isPowerOfTwo, 'must be a power of two ≤ 2^31 (V3)', u32);
const headerSlotBytes = rule((n: number) => n === 256, 'must be 256 (V4)', u16);
const strideBytes = rule(
  (n: number) => isPowerOfTwo(n) && n >= 64,
  'must be a power of two, a multiple of 64 (≥ 64) and ≤ 2^31 (V6)',
  u32,
);

function tableOf(value: unknown, key: string, source: ConfigSource, what: string): Readonly<Record<string, unknown>> {
  if (!isTable(value)) throw new ConfigError(key, `must be a table (${what})`, { value, source });
  return value;
}

/** Profiles in declaration order (smol-toml keeps insertion order; see docs for numeric names). */
export function parseProfiles(value: unknown, source: ConfigSource): Map<string, ProfileConfig> {
  const profiles = new Map<string, ProfileConfig>();
  if (value === undefined) return profiles;
  const table = tableOf(value, 'profiles', source, '[profiles.<name>]');
  for (const [name, raw] of Object.entries(table)) {
    const prefix = keyPath('profiles', name);
    if (name === '') throw new ConfigError(prefix, 'profile names must not be empty', { value: name, source });
    const t = tableOf(raw, prefix, source, `[${prefix}]`);
    checkKnownKeys(t, PROFILE_KEYS, prefix, source);
    const nslots = field(t, prefix, 'header_nslots', source, headerNslots, KEY_DEFAULTS['profiles.*.header_nslots']);
    const slotBytes = field(t, prefix, 'header_slot_bytes', source, headerSlotBytes, KEY_DEFAULTS['profiles.*.header_slot_bytes']);
    const poolsKey = `${prefix}.payload_pools`;
    const poolsRaw = t['payload_pools'];
    if (poolsRaw === undefined) throw new ConfigError(poolsKey, 'is required: at least one payload pool (V5)');
    if (!Array.isArray(poolsRaw)) {
      throw new ConfigError(poolsKey, 'must be an array of tables { pool_id, stride_bytes } (V5)', { value: poolsRaw, source });
    }
    if (poolsRaw.length === 0) throw new ConfigError(poolsKey, 'must define at least one payload pool (V5)', { value: poolsRaw, source });
    const pools: PoolConfig[] = [];
    poolsRaw.forEach((p: unknown, i) => {
      const poolPrefix = `${poolsKey}[${i}]`;
      const pt = tableOf(p, poolPrefix, source, '{ pool_id, stride_bytes }');
      checkKnownKeys(pt, POOL_KEYS, poolPrefix, source);
      const poolId = field(pt, poolPrefix, 'pool_id', source, u16);
      // V11: pool ids unique within a profile (they name the `<pool_id>.pool` files).
      if (pools.some((q) => q.poolId === poolId)) {
        throw new ConfigError(`${poolPrefix}.pool_id`, 'duplicates another pool_id in this profile (V11)', {
          value: poolId,
          source,
        });
      }
      pools.push({ poolId, strideBytes: field(pt, poolPrefix, 'stride_bytes', source, strideBytes) });
    });
    profiles.set(name, { name, headerNslots: nslots, headerSlotBytes: slotBytes, payloadPools: pools });
  }
  return profiles;
}

export function parseStreams(
  value: unknown,
  source: ConfigSource,
  profiles: ReadonlyMap<string, ProfileConfig>,
): StreamConfig[] {
  const streams: StreamConfig[] = [];
  if (value === undefined) return streams;
  const table = tableOf(value, 'streams', source, '[streams.<name>]');
  for (const [name, raw] of Object.entries(table)) {
    const prefix = keyPath('streams', name);
    const t = tableOf(raw, prefix, source, `[${prefix}]`);
    checkKnownKeys(t, STREAM_KEYS, prefix, source);
    const streamId = field(t, prefix, 'stream_id', source, u32);
    const profile = field(t, prefix, 'profile', source, parseString);
    const other = streams.find((s) => s.streamId === streamId);
    // V11: stream ids unique (they name the stream directories and appear on the wire).
    if (other !== undefined) {
      throw new ConfigError(`${prefix}.stream_id`, `duplicates ${keyPath('streams', other.name)}.stream_id (V11)`, {
        value: streamId,
        source,
      });
    }
    // V11: each stream's profile exists (the RI only finds out at attach).
    if (!profiles.has(profile)) {
      throw new ConfigError(`${prefix}.profile`, `names no defined profile (V11); defined: ${[...profiles.keys()].join(', ') || 'none'}`, {
        value: profile,
        source,
      });
    }
    streams.push({ name, streamId, profile });
  }
  return streams;
}
