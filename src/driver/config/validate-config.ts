/**
 * Cross-key startup checks (CONFIG.md §7) over resolved values; per-value rules (V3–V7, V10,
 * V13, V14) are enforced while parsing. Returns the final config with `default_profile` resolved.
 */
import { ConfigError, type ConfigSource } from './config-error.js';
import { keyPath, type SectionKey } from './config-keys.js';
import type { DriverConfig, IdRange } from './driver-config.js';
import type { LayeredValues } from './layered-values.js';
import { isInside } from './parse-driver-values.js';
import { formatRange, rangeContains, rangesOverlap } from './parse-range.js';

const RANGE_KEYS = [
  ['driver.stream_id_range', 'streamIdRange'],
  ['driver.descriptor_stream_id_range', 'descriptorStreamIdRange'],
  ['driver.control_stream_id_range', 'controlStreamIdRange'],
] as const;

/** JS objects list array-index keys first, so numeric profile names lose declaration order. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;

export function validateConfig(cfg: DriverConfig, values: LayeredValues, tomlSource: ConfigSource): DriverConfig {
  const { driver, shm, policies, profiles, streams } = cfg;

  // V1: at least one profile.
  if (profiles.size === 0) throw new ConfigError('profiles', 'at least one [profiles.<name>] must be defined (V1)');

  // V2: without dynamic streams every stream must be listed.
  if (!policies.allowDynamicStreams && streams.length === 0) {
    throw values.error('policies.allow_dynamic_streams', 'is false, so at least one [streams.<name>] must be defined (V2)');
  }
  // V12 (tensorpool chooses fail-fast): dynamic streams need a range to allocate ids from.
  if (policies.allowDynamicStreams && driver.streamIdRange === null) {
    throw values.error(
      'driver.stream_id_range',
      'must be set when policies.allow_dynamic_streams is true: dynamic streams take their ids from it (V12)',
    );
  }

  // V8: ranges mutually disjoint.
  const ranges: { key: SectionKey; range: IdRange }[] = [];
  for (const [key, field] of RANGE_KEYS) {
    const range = driver[field];
    if (range === null) continue;
    for (const other of ranges) {
      if (rangesOverlap(range, other.range)) {
        throw values.error(key, `overlaps ${other.key} ${formatRange(other.range)} (V8)`);
      }
    }
    ranges.push({ key, range });
  }

  // V9: no range contains a configured id; static streams don't reuse control/announce/QoS ids.
  const fixedIds: readonly [SectionKey, number][] = [
    ['driver.control_stream_id', driver.controlStreamId],
    ['driver.announce_stream_id', driver.announceStreamId],
    ['driver.qos_stream_id', driver.qosStreamId],
  ];
  for (const { key, range } of ranges) {
    for (const [idKey, id] of fixedIds) {
      if (rangeContains(range, id)) throw values.error(key, `contains ${idKey} ${id} (V9)`);
    }
    for (const s of streams) {
      if (rangeContains(range, s.streamId)) {
        throw values.error(key, `contains ${keyPath('streams', s.name)}.stream_id ${s.streamId} (V9)`);
      }
    }
  }
  for (const s of streams) {
    for (const [idKey, id] of fixedIds) {
      if (s.streamId === id) {
        throw new ConfigError(`${keyPath('streams', s.name)}.stream_id`, `equals ${idKey} (V9)`, {
          value: s.streamId,
          source: tomlSource,
        });
      }
    }
  }

  // V11: default_profile exists; empty → the first profile in declaration order.
  let defaultProfile = policies.defaultProfile;
  if (defaultProfile === '') {
    const names = [...profiles.keys()];
    if (policies.allowDynamicStreams && names.length > 1 && names.some((n) => ARRAY_INDEX.test(n))) {
      throw values.error(
        'policies.default_profile',
        'must be set explicitly: numeric profile names do not keep their declaration order',
      );
    }
    defaultProfile = names[0] ?? '';
  } else if (!profiles.has(defaultProfile)) {
    throw values.error('policies.default_profile', `names no defined profile (V11); defined: ${[...profiles.keys()].join(', ')}`);
  }

  // V15: base_dir inside an allowed dir (both normalised by path.resolve; existence is not
  // required because the driver creates base_dir).
  if (!shm.allowedBaseDirs.some((root) => isInside(shm.baseDir, root))) {
    throw values.error('shm.base_dir', `is not inside shm.allowed_base_dirs ${JSON.stringify(shm.allowedBaseDirs)} (V15)`);
  }

  return { driver, shm, policies: { ...policies, defaultProfile }, profiles, streams };
}
