import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crashRun } from '#test/helpers/npm-start.ts';

/**
 * Crash figures: N distinct Rungopher results at concurrency C into `npm start`'s entry, SIGKILL of
 * its process group after half were answered 200, restart on the same folder (with `--again`, a second
 * SIGKILL right after that restart), then how many acknowledged results were lost.
 * `PATH=node_modules/.bin:$PATH tsx test/bench/crash.ts [N] [C] [--again]`
 */
const [n = 3000, concurrency = 32] = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
const again = process.argv.includes('--again');
const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-crash-'));
try {
  const { figures, hub } = await crashRun(dataDir, { n, concurrency, killAfter: Math.floor(n / 2), killAfterRestart: again, drainMs: 300_000 });
  await hub.kill('SIGTERM');
  console.log(JSON.stringify({ n, concurrency, killAfterRestart: again, ...figures }));
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
