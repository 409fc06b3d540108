/**
 * `tensorpool produce`: attach as the stream's producer and publish verification frames —
 * payload byte i = (seq * 31 + i) & 0xFF (issue 6), so any consumer in any language can check
 * them — at a rate or as fast as possible, until --count frames or a stop signal.
 */
import { parseArgs } from 'node:util';
import { Producer } from '../client/producer.js';
import type { Dtype } from '../sbe/index.js';
import { dtypeElementSize, dtypeFromName, fillPattern } from '../data/index.js';
import { EXIT_OK, UsageError } from './cli-errors.js';
import { HELP_OPTION, parseCommandArgs, parseCount, type Command } from './command.js';
import { dataSession, onStopSignal, parseStreamId, withDeadline } from './data-session.js';

export function parseShape(value: string | undefined): number[] {
  if (value === undefined) throw new UsageError('--shape A,B,.. is required');
  const dims = value.split(',').map((d) => d.trim());
  if (dims.length < 1 || dims.length > 8 || dims.some((d) => !/^\d{1,10}$/.test(d) || Number(d) > 0x7fffffff)) {
    throw new UsageError(`--shape must be 1..8 comma-separated integers 0..2^31-1, got ${JSON.stringify(value)}`);
  }
  return dims.map(Number);
}

/** A `--dtype` name (case-insensitive) with a whole-byte element size (BIT is refused), or a UsageError. */
export function parseDtype(value: string): { dtype: Dtype; elementSize: number } {
  const dtype = dtypeFromName(value.toUpperCase());
  const elementSize = dtype === undefined || value.toUpperCase() === 'BIT' ? 0 : dtypeElementSize(dtype);
  if (dtype === undefined || elementSize === 0) throw new UsageError(`--dtype: unknown or unsupported dtype ${JSON.stringify(value)}`);
  return { dtype, elementSize };
}

export const produceCommand: Command = {
  name: 'produce',
  summary: 'publish verification frames on a stream (payload byte i = (seq*31 + i) & 0xFF)',
  help: `Usage: tensorpool produce --stream ID --shape A,B,.. [--dtype NAME] [--rate HZ] [--count N]
                         [--control CHANNEL] [--config FILE] [--timeout MS]

Attaches to the driver as the stream's PRODUCER, maps its regions and publishes frames of the
given shape and dtype whose payload byte i is (seq * 31 + i) & 0xFF, seq being the frame's
sequence number in its epoch, so that any consumer can verify them. Each frame's
FrameDescriptor goes to the driver, which relays it to the stream's consumers. If the lease is
lost the producer stops, unmaps, and resumes at seq 0 in the new epoch after reattaching.
Prints one line per epoch mapped and, at exit, the counters (stderr).

Options:
  --stream ID          the stream id (required)
  --shape A,B,..       the tensor shape, 1..8 dims (required), e.g. 480,640
  --dtype NAME         uint8 (default), int8, uint16, int16, uint32, int32, uint64, int64,
                       float32, float64, boolean, bytes
  --rate HZ            frames per second (default: as fast as possible)
  --count N            stop after N frames published (default: until SIGINT/SIGTERM)
  --control CHANNEL    the driver's channel (default as for tensorpool status)
  --config FILE        driver configuration file for the default channel and allowed dirs
  --timeout MS         give up if no lease within MS milliseconds (default 5000)
  -h, --help           show this help

Frames too large for every pool are dropped and counted, never blocking.
Exit codes: 0 done, 1 no driver, attach refused or regions failing their checks, 2 bad arguments.`,

  async run(argv) {
    const { values } = parseCommandArgs('produce', () =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          ...HELP_OPTION,
          stream: { type: 'string' },
          shape: { type: 'string' },
          dtype: { type: 'string' },
          rate: { type: 'string' },
          count: { type: 'string' },
          control: { type: 'string' },
          config: { type: 'string' },
          timeout: { type: 'string' },
        },
      }),
    );
    if (values.help === true) {
      process.stdout.write(`${produceCommand.help}\n`);
      return EXIT_OK;
    }
    const streamId = parseStreamId(values.stream);
    const shape = parseShape(values.shape);
    const { dtype, elementSize } = parseDtype(values.dtype ?? 'uint8');
    const rate = parseCount('rate', values.rate, 0);
    const count = parseCount('count', values.count, Infinity);
    const timeoutMs = parseCount('timeout', values.timeout, 5000);
    const bytes = shape.reduce((a, b) => a * b, 1) * elementSize;
    const session = dataSession(values.control, values.config);

    const opening = Producer.open({ connect: session.connect, streamId, allowedBaseDirs: session.allowedBaseDirs, clientOptions: session.clientOptions });
    const producer = await withDeadline(opening, timeoutMs, `tensorpool produce: ${session.channel}`, (p) => void p.close());
    producer.on('mapped', (epoch) => process.stderr.write(`produce: stream ${streamId} epoch ${epoch} mapped\n`));
    producer.on('unmapped', (epoch) => process.stderr.write(`produce: stream ${streamId} epoch ${epoch} unmapped\n`));
    producer.on('map-failed', (e) => process.stderr.write(`produce: regions refused: ${e.message}\n`));
    process.stderr.write(`produce: stream ${streamId} epoch ${producer.epoch} mapped\n`);

    let published = 0;
    let stopped = false;
    const layout = { dtype, shape };
    const removeSignals = onStopSignal(() => (stopped = true));
    const start = performance.now();
    try {
      while (!stopped && published < count) {
        const claim = producer.claim(bytes);
        if (claim !== null) {
          fillPattern(claim.payload, claim.seq);
          if (producer.commit(claim, layout) !== null) published++;
        } else if (producer.counters.framesDroppedOversize > 0 && producer.ready) {
          throw new Error(`a ${bytes}-byte frame fits no pool of stream ${streamId}: every frame would be dropped`);
        }
        // Paced by the rate, or yielding each frame so keepalives and relays run.
        const due = rate > 0 ? start + ((published + 1) * 1000) / rate : 0;
        await new Promise<void>((resolve) => {
          const wait = due - performance.now();
          if (wait > 0) setTimeout(resolve, wait);
          else setImmediate(resolve);
        });
      }
    } finally {
      removeSignals();
      await producer.close();
      const c = producer.counters;
      process.stderr.write(
        `produce: published=${c.framesPublished} droppedOversize=${c.framesDroppedOversize} droppedUnmapped=${c.framesDroppedUnmapped} descriptorsNotSent=${c.descriptorsNotSent} remaps=${c.remaps} mapFailures=${c.mapFailures}\n`,
      );
    }
    return EXIT_OK;
  },
};
