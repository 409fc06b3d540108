/**
 * The driver's log: one JSON object per line on stderr (docs/cli.md "Logs"), so it can be read
 * by people and by log shippers alike: `{"time","level","event",...fields}`.
 */
import type { ServerLogLevel, ServerLogger } from '../transport/unix-socket-server.js';

const RANK: Readonly<Record<ServerLogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

export function isLogLevel(s: string): s is ServerLogLevel {
  return Object.hasOwn(RANK, s);
}

export function jsonLogger(minLevel: ServerLogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): ServerLogger {
  const min = RANK[minLevel];
  return (level, event, fields) => {
    if (RANK[level] < min) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }, (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString(10) : v,
    );
    write(`${line}\n`);
  };
}
