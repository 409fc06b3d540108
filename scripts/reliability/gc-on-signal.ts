/**
 * Preloaded into the soak's driver process (`node --expose-gc --import <this> … driver`): on
 * SIGUSR2 it runs a full garbage collection and then prints `soak-gc <n>` on stdout, so the soak
 * reads the driver's heap without floating garbage and knows when the figure is ready. Only the
 * soak loads it; `tensorpool driver` itself never collects on request.
 */
const gc = (globalThis as { gc?: () => void }).gc;
let collections = 0;
process.on('SIGUSR2', () => {
  gc?.();
  process.stdout.write(`soak-gc ${++collections}${gc === undefined ? ' (no --expose-gc)' : ''}\n`);
});
