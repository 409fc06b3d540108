/**
 * The driver configuration loader (CONFIG.md): TOML + env + programmatic overrides, resolved
 * with the §1 precedence, every key validated at startup (§7), derived defaults computed from
 * resolved values (§1, §8).
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import { checkNamespace, namespaceDir, sanitizeUser } from '../../shm/canonical-path.js';
import { ConfigError, ValueProblem, type ConfigSource } from './config-error.js';
import {
  AERON_DIR_ENV,
  AERON_DIR_KEY,
  SECTION_KEYS,
  SECTION_KEY_SET,
  type Section,
  type SectionKey,
} from './config-keys.js';
import { CONTROL_SOCKET_NAME, DEFAULT_CONFIG_TOML, KEY_DEFAULTS as D } from './default-config.js';
import type { DriverConfig, DriverSection, PoliciesSection, ShmSection } from './driver-config.js';
import { LayeredValues, type Parser } from './layered-values.js';
import { parseAbsoluteDir, parseChannel, parseDirList, parseOctalMode } from './parse-driver-values.js';
import { parseRange } from './parse-range.js';
import { readConfigFile } from './read-config-file.js';
import { checkKnownKeys, parseProfiles, parseStreams } from './parse-tables.js';
import {
  U32_MAX,
  isPowerOfTwo,
  isTable,
  parseBool,
  parseString,
  parseU64,
  parseUint,
} from './parse-value.js';
import { validateConfig } from './validate-config.js';

export interface LoadConfigOptions {
  /** A TOML file; mutually exclusive with `toml`. Neither → the built-in default document. */
  readonly file?: string;
  /** TOML text (embedding, tests). */
  readonly toml?: string;
  /** Defaults to `process.env`; tests always pass their own. */
  readonly env?: NodeJS.ProcessEnv;
  /** Dotted keys of `[driver]`/`[shm]`/`[policies]` (e.g. `"driver.control_stream_id": 1000`), highest precedence. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

const TOP_LEVEL_KEYS = ['driver', 'shm', 'policies', 'profiles', 'streams'] as const;

const AERON_DIR_PROBLEM =
  "is not supported: tensorpool's control plane is a Unix stream socket, not Aeron, so there is no Aeron directory; remove it";

const u32: Parser<number> = (v, f) => parseUint(v, f, U32_MAX);
const positiveU32: Parser<number> = (v, f) => parseUint(v, f, U32_MAX, 1);
const str: Parser<string> = (v) => parseString(v);

function checked<T>(parse: Parser<T>, check: (v: T) => void): Parser<T> {
  return (v, f) => {
    const parsed = parse(v, f);
    check(parsed);
    return parsed;
  };
}

export function loadConfig(options: LoadConfigOptions = {}): DriverConfig {
  const env = options.env ?? process.env;
  const overrides = options.overrides ?? {};
  const { doc, source } = readDocument(options);
  rejectAeronDir(doc, source, env, overrides);
  checkOverrideKeys(overrides);

  const toml: Partial<Record<Section, Readonly<Record<string, unknown>>>> = {};
  for (const section of Object.keys(SECTION_KEYS) as Section[]) {
    const table = doc[section];
    if (table === undefined) continue;
    if (!isTable(table)) throw new ConfigError(section, `must be a table [${section}]`, { value: table, source });
    checkKnownKeys(table, SECTION_KEYS[section], section, source);
    toml[section] = table;
  }
  const values = new LayeredValues({ overrides, env, toml, tomlSource: source });

  const shm = resolveShm(values);
  const driver = resolveDriver(values, shm, env);
  const policies = resolvePolicies(values);
  const profiles = parseProfiles(doc['profiles'], source);
  const streams = parseStreams(doc['streams'], source, profiles);
  return validateConfig({ driver, shm, policies, profiles, streams }, values, source);
}

function readDocument(options: LoadConfigOptions): { doc: Readonly<Record<string, unknown>>; source: ConfigSource } {
  if (options.file !== undefined && options.toml !== undefined) {
    throw new ConfigError(null, 'pass either file or toml, not both');
  }
  let text: string;
  let origin: string;
  if (options.file !== undefined) {
    origin = `TOML file ${options.file}`;
    try {
      text = readConfigFile(options.file);
    } catch (e) {
      throw new ConfigError(null, `cannot read ${origin}: ${(e as Error).message}`, undefined, { cause: e });
    }
  } else if (options.toml !== undefined) {
    origin = 'TOML text';
    text = options.toml;
  } else {
    origin = 'the built-in default config';
    text = DEFAULT_CONFIG_TOML;
  }
  const source: ConfigSource = { kind: 'toml', origin };
  let doc: Readonly<Record<string, unknown>>;
  try {
    // Integers as bigints so a TOML float is told apart from an integer; __proto__ keys refused.
    doc = parseToml(text, { integersAsBigInt: true, unsafeKeyBehaviour: 'throw' });
  } catch (e) {
    if (e instanceof TomlError) {
      throw new ConfigError(null, `invalid TOML in ${origin} at line ${e.line}, column ${e.column}: ${e.message}`, undefined, {
        cause: e,
      });
    }
    throw e;
  }
  checkKnownKeys(doc, TOP_LEVEL_KEYS, '', source);
  return { doc, source };
}

/** Aeron's directory has no meaning for a Unix-socket control plane: say so instead of ignoring it. */
function rejectAeronDir(
  doc: Readonly<Record<string, unknown>>,
  source: ConfigSource,
  env: NodeJS.ProcessEnv,
  overrides: Readonly<Record<string, unknown>>,
): void {
  if (overrides[AERON_DIR_KEY] !== undefined) {
    throw new ConfigError(AERON_DIR_KEY, AERON_DIR_PROBLEM, {
      value: overrides[AERON_DIR_KEY],
      source: { kind: 'override', key: AERON_DIR_KEY },
    });
  }
  for (const name of AERON_DIR_ENV) {
    const value = env[name];
    // An empty variable asks for nothing; only a real directory is a misconfiguration.
    if (value !== undefined && value !== '') {
      throw new ConfigError(AERON_DIR_KEY, `${AERON_DIR_PROBLEM} (unset ${name})`, {
        value,
        source: name === 'AERON_DIR' ? { kind: 'env', name, aliasOf: 'DRIVER_AERON_DIR' } : { kind: 'env', name },
      });
    }
  }
  const driver = doc['driver'];
  if (isTable(driver) && driver['aeron_dir'] !== undefined) {
    throw new ConfigError(AERON_DIR_KEY, AERON_DIR_PROBLEM, { value: driver['aeron_dir'], source });
  }
}

function checkOverrideKeys(overrides: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(overrides)) {
    if (SECTION_KEY_SET.has(key) || value === undefined) continue;
    const source: ConfigSource = { kind: 'override', key };
    if (key.startsWith('profiles.') || key.startsWith('streams.')) {
      throw new ConfigError(key, 'profiles and streams are TOML-only; pass them in the toml option', { value, source });
    }
    throw new ConfigError(key, 'unknown key', { value, source });
  }
}

/** SHM_LAYOUT §9 via `checkNamespace`: checked, never rewritten. */
const parseNamespace: Parser<string> = (v) => {
  const namespace = parseString(v);
  try {
    return checkNamespace(namespace);
  } catch {
    throw new ValueProblem('must be 1-64 characters from [A-Za-z0-9._-], not "." or ".."');
  }
};

function resolveShm(values: LayeredValues): ShmSection {
  const baseDir = values.get('shm.base_dir', parseAbsoluteDir, D['shm.base_dir']);
  const namespace = values.get('shm.namespace', parseNamespace, D['shm.namespace']);
  const allowed = values.get('shm.allowed_base_dirs', parseDirList, []);
  return {
    baseDir,
    namespace,
    requireHugepages: values.get('shm.require_hugepages', parseBool, D['shm.require_hugepages']),
    pageSizeBytes: values.get(
      'shm.page_size_bytes',
      checked(positiveU32, (n) => {
        if (!isPowerOfTwo(n)) throw new ValueProblem('must be a power of two ≤ 2^31');
      }),
      D['shm.page_size_bytes'],
    ),
    permissionsMode: values.get('shm.permissions_mode', parseOctalMode, D['shm.permissions_mode']),
    // CONFIG.md §3: absent or empty → [base_dir]; a given list is used as is (base_dir not added).
    allowedBaseDirs: allowed.length === 0 ? [baseDir] : allowed,
  };
}

function resolveDriver(values: LayeredValues, shm: ShmSection, env: NodeJS.ProcessEnv): DriverSection {
  const nonEmpty = checked(str, (s) => {
    if (s === '') throw new ValueProblem('must not be empty (V13)');
  });
  const defaultSocket = `unix:${namespaceDir(shm.baseDir, sanitizeUser(env), shm.namespace)}/${CONTROL_SOCKET_NAME}`;
  const controlChannel = values.get('driver.control_channel', parseChannel, defaultSocket, {
    kind: 'derived',
    from: 'shm.base_dir, shm.namespace and the user',
  });
  const controlStreamId = values.get('driver.control_stream_id', u32, D['driver.control_stream_id']);
  // CONFIG.md §1: derived defaults use the *resolved* control channel and stream id.
  const fromControl = (key: string): ConfigSource => ({ kind: 'derived', from: key });
  return {
    instanceId: values.get('driver.instance_id', nonEmpty, D['driver.instance_id']),
    controlChannel,
    controlStreamId,
    announceChannel: values.get('driver.announce_channel', parseChannel, controlChannel, fromControl('driver.control_channel')),
    announceStreamId: values.get('driver.announce_stream_id', u32, controlStreamId, fromControl('driver.control_stream_id')),
    qosChannel: values.get('driver.qos_channel', parseChannel, controlChannel, fromControl('driver.control_channel')),
    qosStreamId: values.get('driver.qos_stream_id', u32, D['driver.qos_stream_id']),
    streamIdRange: values.get('driver.stream_id_range', parseRange, null),
    descriptorStreamIdRange: values.get('driver.descriptor_stream_id_range', parseRange, null),
    controlStreamIdRange: values.get('driver.control_stream_id_range', parseRange, null),
  };
}

function resolvePolicies(values: LayeredValues): PoliciesSection {
  const bool = (key: SectionKey, fallback: boolean): boolean =>
    values.get(key, parseBool, fallback);
  // CONFIG.md §8: 0 would disable the announce timer / the expiry scan; rejected at startup.
  const announcePeriodMs = values.get('policies.announce_period_ms', positiveU32, D['policies.announce_period_ms']);
  // CONFIG.md §4: 0 or absent → 3 × the resolved announce period, in ns.
  const derivedMinAge = BigInt(announcePeriodMs) * 3n * 1_000_000n;
  const minAge = values.get('policies.epoch_gc_min_age_ns', parseU64, derivedMinAge, {
    kind: 'derived',
    from: 'policies.announce_period_ms',
  });
  return {
    allowDynamicStreams: bool('policies.allow_dynamic_streams', D['policies.allow_dynamic_streams']),
    // Resolved against the profiles (first profile when empty, V11) in validateConfig.
    defaultProfile: values.get('policies.default_profile', str, D['policies.default_profile']),
    announcePeriodMs,
    leaseKeepaliveIntervalMs: values.get(
      'policies.lease_keepalive_interval_ms',
      positiveU32,
      D['policies.lease_keepalive_interval_ms'],
    ),
    leaseExpiryGraceIntervals: values.get(
      'policies.lease_expiry_grace_intervals',
      positiveU32,
      D['policies.lease_expiry_grace_intervals'],
    ),
    prefaultShm: bool('policies.prefault_shm', D['policies.prefault_shm']),
    reuseExistingShm: bool('policies.reuse_existing_shm', D['policies.reuse_existing_shm']),
    mlockShm: bool('policies.mlock_shm', D['policies.mlock_shm']),
    cleanupShmOnExit: bool('policies.cleanup_shm_on_exit', D['policies.cleanup_shm_on_exit']),
    epochGcEnabled: bool('policies.epoch_gc_enabled', D['policies.epoch_gc_enabled']),
    // 0 would keep no epoch at all; the RI silently uses max(1, N), tensorpool rejects it.
    epochGcKeep: values.get('policies.epoch_gc_keep', positiveU32, D['policies.epoch_gc_keep']),
    epochGcMinAgeNs: minAge === 0n ? derivedMinAge : minAge,
    epochGcOnStartup: bool('policies.epoch_gc_on_startup', D['policies.epoch_gc_on_startup']),
    // 0 is allowed and means "shut down at once" (the RI never completes the drain).
    shutdownTimeoutMs: values.get('policies.shutdown_timeout_ms', u32, D['policies.shutdown_timeout_ms']),
    shutdownToken: values.get('policies.shutdown_token', str, D['policies.shutdown_token']),
    revokeOnDisconnect: bool('policies.revoke_on_disconnect', D['policies.revoke_on_disconnect']),
  };
}
