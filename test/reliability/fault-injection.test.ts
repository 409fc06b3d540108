/**
 * The short fault-injection run (issue 7): one fault of each kind, in turn, against a real
 * `tensorpool driver` process with producer and consumer processes — kill -9 of a producer
 * mid-attach and mid-frame, of a consumer, of the driver (restarted on the same base dir), a
 * region file deleted and one truncated under the running driver, and a nearly full tmpfs. The
 * suite (scripts/reliability/fault-injection.ts) runs as a child process, inside a user + mount
 * namespace when available (for the small tmpfs), and exits 0 only when every invariant held:
 * no torn or wrong-epoch frame delivered, epochs strictly increasing per stream across restarts,
 * recovery within its bound, clear errors, no leaked lease. The long run is
 * `npm run reliability -- faults --rounds 100`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { FAULT_KINDS, probeConsumer, type Figures } from '../../scripts/reliability/fault-injection-core.js';
import { FaultRig } from '../../scripts/reliability/fault-rig.js';
import { tempBase, withTimeout } from '../transport/socket-harness.js';

const RUN_JS = fileURLToPath(new URL('../../scripts/reliability/run.js', import.meta.url));

let base: { dir: string; cleanup: () => void };
before(() => {
  base = tempBase();
});
after(() => base.cleanup());

// The two tests are independent processes and run side by side (the file's wall clock is the longer one).
describe('fault injection', { concurrency: 2 }, () => {
  test('one fault of each kind: fail closed, recover, never reuse an epoch', { timeout: 40_000 }, async () => {
    const json = join(base.dir, 'faults.json');
    const args = [RUN_JS, 'faults', '--each', '--rounds', String(FAULT_KINDS.length), '--seed', '7', '--no-cli-probe', '--json', json];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await withTimeout(new Promise<number | null>((resolve) => child.once('exit', resolve)), 35_000, 'the fault-injection run').catch((e: unknown) => {
      child.kill('SIGKILL'); // the namespace, and every process in it, dies with it
      throw e;
    });
    assert.equal(code, 0, out);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { figures: Figures; namespace: string };
    const f = report.figures;
    assert.deepEqual(f.violations, []);
    assert.equal(f.tornFrames, 0);
    assert.equal(f.rounds, FAULT_KINDS.length);
    for (const k of FAULT_KINDS) assert.equal(f.faultsPerKind[k], 1, `${k} ran once: ${out}`);
    assert.ok(f.driverStarts >= 2, 'the driver was restarted');
    assert.ok(f.frames > 0);
  });

  /**
   * Found by the suite (delete-region): a region file of the current epoch deleted under a running
   * driver leaves the stream unusable for every consumer that attaches afterwards — the driver
   * keeps granting the epoch whose file is gone (TP_ERR_SHM_MAP_NOT_FOUND) until its producer
   * happens to re-attach. Expected: automatic recovery — the driver notices at the next attach and
   * moves the stream to a fresh epoch (as for a failed producer, EPOCH-03).
   */
  test(
    'a region file deleted under a running driver: the next consumer gets a working epoch',
    { timeout: 20_000 },
    async () => {
      const root = mkdtempSync(join(base.dir, 'r'));
      mkdirSync(join(root, 'shm'));
      const rig = await FaultRig.start({ root, smallFs: false });
      try {
        const [header] = await rig.regionPaths();
        assert.ok(header !== undefined);
        unlinkSync(header);
        const probe = await probeConsumer(rig);
        assert.deepEqual(probe, { ok: true });
      } finally {
        rig.close();
      }
    },
  );
});
