/** The driver configuration: loading (CONFIG.md), the resolved shape, and a log rendering. */
export type { DriverConfig, DriverSection, IdRange, PoliciesSection, PoolConfig, ProfileConfig, ShmSection, StreamConfig } from './driver-config.js';
export { loadConfig, type LoadConfigOptions } from './load-config.js';
export { ConfigError, describeSource, type ConfigSource } from './config-error.js';
export { DEFAULT_CONFIG_TOML } from './default-config.js';
export { envName } from './config-keys.js';
export { parseRange, formatRange } from './parse-range.js';
export { describeConfig, formatConfig, REDACTED, type ConfigSummary } from './describe-config.js';
