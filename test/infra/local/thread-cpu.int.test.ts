import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { EMULATOR_THREADS, startEmulators } from '#infra/local/emulators.ts';
import { cpuSpent, threadCpu } from '#test/helpers/thread-cpu.ts';

// The benches' CPU accounting by thread (`npm run bench -- drain`, `-- foundation`) reads /proc by thread name.
describe.runIf(process.platform === 'linux')('CPU by thread', () => {
  it('charges a named worker the CPU it burns, and not the main thread', async () => {
    // `process.threadCpuUsage` is Node 23.9 and later: the tests run on the project's Node (24, Lambda's).
    expect(typeof process.threadCpuUsage).toBe('function');
    const before = await threadCpu({ pid: process.pid });
    // It spins until it has burnt 500 ms of its own CPU (however loaded the machine; at most 20 s), says
    // so, and stays alive (a thread that has exited is no longer in /proc).
    const worker = new Worker(
      "const own = () => { const u = process.threadCpuUsage(); return u.user + u.system; }; const from = own(); const end = Date.now() + 20000; while (own() - from < 500000 && Date.now() < end); require('node:worker_threads').parentPort.postMessage('spun'); setInterval(() => {}, 1000);",
      { eval: true, name: 'cpu-test' },
    );
    await new Promise((resolve) => worker.once('message', resolve));
    const spent = new Map(cpuSpent(before, await threadCpu({ pid: process.pid })));
    await worker.terminate();
    expect(spent.get('cpu-test') ?? 0).toBeGreaterThan(0.3);
    expect(spent.get('MainThread') ?? 0).toBeLessThan(0.3);
  });

  it("names each emulator's worker thread, so the drain bench can tell them apart", async () => {
    const emulators = await startEmulators({});
    try {
      const names = [...(await threadCpu({ pid: process.pid })).keys()];
      expect(names).toEqual(expect.arrayContaining([EMULATOR_THREADS.dynamodb, EMULATOR_THREADS.sqs]));
    } finally {
      await emulators.stop();
    }
  });
});
