/**
 * `tensorpool consume`: attach as a consumer of the stream and print one line per frame read —
 * seq, epoch, dtype, shape, bytes and the CRC-32 of the payload — so that frames can be checked
 * against the producer's pattern (issue 6); the drop counters at exit go to stderr.
 */
import { parseArgs } from 'node:util';
import { Consumer } from '../client/consumer.js';
import { crc32, crc32Hex, type Frame } from '../data/index.js';
import { EXIT_OK, UsageError } from './cli-errors.js';
import { HELP_OPTION, parseCommandArgs, parseCount, type Command } from './command.js';
import { dataSession, onStopSignal, parseStreamId, withDeadline } from './data-session.js';

export interface FrameLine {
  readonly seq: number;
  readonly epoch: string;
  readonly dtype: string;
  readonly shape: string;
  readonly bytes: number;
  readonly crc32: string;
}

/** The line's fields, computed while the frame is valid (the flyweight is reused afterwards). */
export function frameLine(f: Frame): FrameLine {
  return {
    seq: f.seq,
    epoch: f.epoch.toString(),
    dtype: f.dtypeName.toLowerCase(),
    shape: Array.from(f.shape).join(','),
    bytes: f.valuesLenBytes,
    crc32: crc32Hex(crc32(f.bytes)),
  };
}

export function formatFrameLine(l: FrameLine, json: boolean): string {
  return json ? JSON.stringify(l) : `seq=${l.seq} epoch=${l.epoch} dtype=${l.dtype} shape=${l.shape} bytes=${l.bytes} crc32=${l.crc32}`;
}

export const consumeCommand: Command = {
  name: 'consume',
  summary: 'read frames of a stream and print seq, epoch, dtype, shape, bytes and crc32',
  help: `Usage: tensorpool consume --stream ID [--count N] [--mode event|poll] [--json]
                         [--control CHANNEL] [--config FILE] [--timeout MS]

Attaches to the driver as a CONSUMER of the stream, maps its regions read-only and prints one
line per frame read:
  seq=<n> epoch=<n> dtype=<name> shape=<a,b,..> bytes=<n> crc32=<8 hex digits>
(with --json one JSON object per line with the same keys; epoch is a string). The CRC-32 covers
the frame's payload bytes; the producer's pattern is byte i = (seq * 31 + i) & 0xFF. When the
stream's producer goes away or the epoch changes the consumer unmaps, waits for the new epoch
and continues from its seq 0. At exit the counters go to stderr: read, overwritten (lapped),
torn, invalid, stale, remaps, mapFailures.

Options:
  --stream ID          the stream id (required)
  --count N            exit after N frames (default: until SIGINT/SIGTERM)
  --mode event|poll    event (default): woken by the FrameDescriptors the driver relays, no CPU
                       while idle; poll: spin on the ring, lowest latency, one core busy
  --json               one JSON object per frame
  --control CHANNEL    the driver's channel (default as for tensorpool status)
  --config FILE        driver configuration file for the default channel and allowed dirs
  --timeout MS         give up if no lease within MS milliseconds (default 5000)
  -h, --help           show this help

Exit codes: 0 done, 1 no driver, attach refused or regions failing their checks, 2 bad arguments.`,

  async run(argv) {
    const { values } = parseCommandArgs('consume', () =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          ...HELP_OPTION,
          stream: { type: 'string' },
          count: { type: 'string' },
          mode: { type: 'string' },
          json: { type: 'boolean' },
          control: { type: 'string' },
          config: { type: 'string' },
          timeout: { type: 'string' },
        },
      }),
    );
    if (values.help === true) {
      process.stdout.write(`${consumeCommand.help}\n`);
      return EXIT_OK;
    }
    const streamId = parseStreamId(values.stream);
    const mode = values.mode ?? 'event';
    if (mode !== 'event' && mode !== 'poll') throw new UsageError(`--mode must be event or poll, got ${JSON.stringify(mode)}`);
    const count = parseCount('count', values.count, Infinity);
    const timeoutMs = parseCount('timeout', values.timeout, 5000);
    const json = values.json === true;
    const session = dataSession(values.control, values.config);

    const opening = Consumer.open({ connect: session.connect, streamId, allowedBaseDirs: session.allowedBaseDirs, mode, clientOptions: session.clientOptions });
    const consumer = await withDeadline(opening, timeoutMs, `tensorpool consume: ${session.channel}`, (c) => void c.close());
    consumer.on('mapped', (epoch) => process.stderr.write(`consume: stream ${streamId} epoch ${epoch} mapped\n`));
    consumer.on('unmapped', (epoch, why) => process.stderr.write(`consume: stream ${streamId} epoch ${epoch} unmapped (${why})\n`));
    consumer.on('map-failed', (e) => process.stderr.write(`consume: regions refused: ${e.message}\n`));
    if (consumer.epoch !== null) process.stderr.write(`consume: stream ${streamId} epoch ${consumer.epoch} mapped\n`);

    let seen = 0;
    await new Promise<void>((resolve) => {
      if (count === 0) return resolve();
      const removeSignals = onStopSignal(() => resolve());
      const stop = consumer.onFrame((f) => {
        if (seen >= count) return;
        process.stdout.write(`${formatFrameLine(frameLine(f), json)}\n`);
        if (++seen >= count) {
          stop();
          removeSignals();
          resolve();
        }
      });
    });
    await consumer.close();
    const c = consumer.counters;
    process.stderr.write(
      `consume: read=${c.framesRead} overwritten=${c.framesOverwritten} torn=${c.framesTorn} invalid=${c.framesInvalid} stale=${c.framesStale} remaps=${c.remaps} mapFailures=${c.mapFailures}\n`,
    );
    return EXIT_OK;
  },
};
