/**
 * Helpers for tests over real Unix sockets: a private temp base dir, a real config for it, a
 * server whose log events can be awaited, and clients whose frames can be awaited. Every wait
 * has a timeout; nothing sleeps to synchronise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DriverConfig } from '../../src/driver/config/driver-config.js';
import { loadConfig } from '../../src/driver/config/load-config.js';
import { HugepagesPolicy, MessageHeaderDecoder, Role, ShmAttachRequestEncoder } from '../../src/sbe/index.js';
import type { ControlConnection } from '../../src/transport/control-connection.js';
import { DriverServer, type DriverServerOptions } from '../../src/transport/unix-socket-server.js';

/** Small regions (8 slots, one 4 KiB pool) so provisioning is instant. */
export const SMALL_TOML = `
[driver]
instance_id = "t5"
stream_id_range = "20000-20099"
[policies]
allow_dynamic_streams = true
default_profile = "small"
prefault_shm = false
shutdown_token = "tok"
shutdown_timeout_ms = 100
announce_period_ms = 60000
[profiles.small]
header_nslots = 8
payload_pools = [{ pool_id = 1, stride_bytes = 4096 }]
[streams.s]
stream_id = 10000
profile = "small"
`;

/** A private base dir (0700) removed by `cleanup`. Short, so socket paths stay under 107 bytes. */
export function tempBase(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tp5-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function configFor(baseDir: string, overrides: Record<string, unknown> = {}): DriverConfig {
  return loadConfig({ toml: SMALL_TOML, env: process.env, overrides: { 'shm.base_dir': baseDir, ...overrides } });
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export interface LogEvent {
  readonly level: string;
  readonly event: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A started server plus its log, with `waitFor(event)`. */
export async function startServer(config: DriverConfig, options: Partial<DriverServerOptions> = {}) {
  const events: LogEvent[] = [];
  const waiters: { name: string; resolve: (e: LogEvent) => void }[] = [];
  const server = await DriverServer.start({
    config,
    ...options,
    log: (level, event, fields) => {
      const e = { level, event, fields };
      events.push(e);
      for (const w of waiters.splice(0)) {
        if (w.name === event) w.resolve(e);
        else waiters.push(w);
      }
    },
  });
  const waitFor = (name: string, ms = 3000): Promise<LogEvent> => {
    const seen = events.find((e) => e.event === name);
    if (seen !== undefined) return Promise.resolve(seen);
    return withTimeout(new Promise<LogEvent>((resolve) => waiters.push({ name, resolve })), ms, `log event ${name}`);
  };
  return { server, events, waitFor };
}

/** "schema/template" of a frame, e.g. "901/2" (attach response), "900/1" (pool announce). */
export function kind(frame: Uint8Array): string {
  const h = new MessageHeaderDecoder().wrap(frame);
  return `${h.schemaId()}/${h.templateId()}`;
}

/** Records every frame a connection receives; `next(kind)` waits for the next one of that kind. */
export class FrameLog {
  readonly frames: Uint8Array[] = [];
  private readonly waiters: { match: string; from: number; resolve: (f: Uint8Array) => void }[] = [];
  closed: Promise<Error | null>;
  private read = 0;

  constructor(readonly conn: ControlConnection) {
    conn.onFrame = (f) => {
      this.frames.push(f);
      for (const w of this.waiters.splice(0)) {
        const hit = this.find(w.match, w.from);
        if (hit !== undefined) w.resolve(hit);
        else this.waiters.push(w);
      }
    };
    this.closed = new Promise((resolve) => (conn.onClose = resolve));
  }

  kinds(): string[] {
    return this.frames.map(kind);
  }

  private find(match: string, from: number): Uint8Array | undefined {
    for (let i = from; i < this.frames.length; i++) {
      const f = this.frames[i] as Uint8Array;
      if (kind(f) === match) {
        this.read = i + 1;
        return f;
      }
    }
    return undefined;
  }

  /** The next frame of `match` after the last one returned. */
  next(match: string, ms = 3000): Promise<Uint8Array> {
    const hit = this.find(match, this.read);
    if (hit !== undefined) return Promise.resolve(hit);
    return withTimeout(new Promise<Uint8Array>((resolve) => this.waiters.push({ match, from: this.read, resolve })), ms, `frame ${match}`);
  }
}

export function attachRequest(clientId: number, role: Role, streamId = 10000): Uint8Array {
  const b = new Uint8Array(64);
  const n = new ShmAttachRequestEncoder()
    .wrapAndApplyHeader(b)
    .correlationId(BigInt(clientId))
    .streamId(streamId)
    .clientId(clientId)
    .role(role)
    .expectedLayoutVersion(0)
    .publishMode(null)
    .requireHugepages(HugepagesPolicy.UNSPECIFIED)
    .desiredNodeId(null)
    .finish();
  return b.subarray(0, n);
}
