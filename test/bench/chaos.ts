import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chaosRun } from '#test/helpers/chaos.ts';

/**
 * The fault run (figures, not a timed test): N distinct Rungopher webhooks, each sent 1–3 times in
 * shuffled order at concurrency 32 into `npm start` on a temp data folder, with K SIGKILLs of the whole
 * hub process group (the first under load, the next right after a restart), each followed by a restart
 * on the same folder. Prints the faults and the figures; exits non-zero on any loss or double.
 * `npm run chaos -- [--webhooks N] [--kills K]`
 */
function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} takes a whole number`);
  return v;
}
const webhooks = flag('webhooks', 10_000);
const kills = flag('kills', 2);
const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-chaos-'));
try {
  const { figures, hub } = await chaosRun(dataDir, { webhooks, kills, log: (l) => console.log(l) });
  await hub.kill('SIGTERM');
  const { faults, ...rest } = figures;
  console.log('\nfaults injected:');
  for (const f of faults) console.log(`  ${f.kind}: ${f.startMs}–${f.endMs} ms, requests hit ${f.requestsHit}, messages in flight at the kill ${f.inFlightAtKill}`);
  console.log('\nfigures:');
  for (const [k, v] of Object.entries(rest)) console.log(`  ${k}: ${v}`);
  const failed = figures.lost > 0 || figures.storedTwice > 0 || figures.neverAcknowledged > 0 || figures.ids5xxResentAndStored < figures.ids5xx;
  console.log(failed ? '\nFAILED: something acknowledged was lost, stored twice or never stored' : '\nOK: lost 0, stored twice 0');
  process.exitCode = failed ? 1 : 0;
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
