/** `tensorpool inspect`: print a region file's superblock and header slots; writes nothing. */
import { EXIT_OK, UsageError } from './cli-errors.js';
import { parseArgs } from 'node:util';
import { HELP_OPTION, parseCommandArgs, parseCount, type Command } from './command.js';
import { formatTable } from './format-table.js';
import { inspectRegion, type InspectedRegion } from './inspect-region.js';

export function formatRegion(r: InspectedRegion): string {
  const sb = r.superblock;
  const sizeNote = r.fileBytes >= r.expectedBytes ? 'ok' : `SHORT: readers need ${r.expectedBytes}`;
  const out = [
    `${r.path}`,
    `  magic           ${sb.magic} (${sb.magicOk ? 'ok' : 'bad'})`,
    `  layoutVersion   ${sb.layoutVersion}`,
    `  regionType      ${sb.regionType}`,
    `  streamId        ${sb.streamId}`,
    `  epoch           ${sb.epoch}`,
    `  poolId          ${sb.poolId}`,
    `  nslots          ${sb.nslots}`,
    `  slotBytes       ${sb.slotBytes}`,
    `  strideBytes     ${sb.strideBytes}`,
    `  pid             ${sb.pid}`,
    `  startTimestamp  ${sb.startTimestampNs} ns`,
    `  activity        ${sb.activityTimestampNs} ns`,
    `  file size       ${r.fileBytes} bytes (${sizeNote})`,
  ];
  if (r.slots.length > 0) {
    out.push('');
    out.push(
      formatTable(
        ['SLOT', 'STATE', 'SEQ', 'POOL', 'PAYLOAD SLOT', 'BYTES', 'TIMESTAMP NS', 'TENSOR'],
        r.slots.map((s) => [
          String(s.index),
          s.state,
          s.committedSeq ?? '-',
          String(s.poolId),
          String(s.payloadSlot),
          String(s.valuesLenBytes),
          s.timestampNs,
          s.tensor === null ? '-' : 'error' in s.tensor ? `undecodable: ${s.tensor.error}` : `${s.tensor.dtype} [${s.tensor.dims.join('x')}] ${s.tensor.majorOrder}`,
        ]),
      ),
    );
  }
  return out.join('\n');
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: "decode a region file's superblock (and header slots) without writing",
  help: `Usage: tensorpool inspect <path> [--slots N] [--json]

Decodes the 64-byte superblock of a region file (header.ring or <pool_id>.pool) and, with
--slots, the first N slots of a header ring (SlotHeader and its embedded TensorHeader). The
file is opened read-only and never written; symlinks and anything but a regular file are
refused.

Options:
  --slots N            also decode the first N header slots (header rings only)
  --json               print the result as JSON
  -h, --help           show this help

Exit codes: 0 decoded, 1 not a readable region file (wrong magic, too short, not regular),
2 bad arguments.`,

  async run(argv) {
    const { values, positionals } = parseCommandArgs('inspect', () =>
      parseArgs({
        args: [...argv],
        strict: true,
        allowPositionals: true,
        options: {
          ...HELP_OPTION,
          slots: { type: 'string' },
          json: { type: 'boolean' },
        },
      }),
    );
    if (values.help === true) {
      process.stdout.write(`${inspectCommand.help}\n`);
      return EXIT_OK;
    }
    if (positionals.length !== 1) throw new UsageError('inspect needs exactly one region file path (see tensorpool inspect --help)');
    const region = inspectRegion(positionals[0] as string, parseCount('slots', values.slots, 0));
    process.stdout.write(values.json === true ? `${JSON.stringify(region, null, 2)}\n` : `${formatRegion(region)}\n`);
    return EXIT_OK;
  },
};
