import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chaosFailures, chaosRun } from '#test/helpers/chaos.ts';

/**
 * The fault run (figures, not a timed test): N valid webhooks (Rungopher results and signed Goodays
 * events), each sent 1–3 times with a share of bad requests, shuffled, at concurrency 32 into
 * `npm start` on a temp data folder, while operators reply to Goodays responses and Netcore polls run,
 * and the harness injects a DynamoDB window, an SQS window, K SIGKILLs of the whole hub (the first under
 * load, the next right after a restart), a kill between a result's store and its message's delete, and
 * Goodays action endpoints that reset or hang. Prints the faults and the figures; exits non-zero on any
 * loss, double, reply sent twice or 5xx to bad input.
 * A subscriber verifies every delivered webhook with `standardwebhooks`; the run also fails when a stored
 * result or a thread's stored version never reached it.
 * `npm run chaos -- [--webhooks N] [--kills K] [--outage-ms MS] [--replies R] [--drain-ms MS] [--no-subscriber]`
 */
function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} takes a whole number`);
  return v;
}
const webhooks = flag('webhooks', 10_000);
const kills = flag('kills', 2);
const outageMs = flag('outage-ms', 3000);
const replies = flag('replies', Math.min(100, Math.floor(webhooks / 50)));
const drainMs = flag('drain-ms', 1_800_000);
const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-chaos-'));
try {
  // A subscriber takes the results and threads as signed webhooks all along (`--no-subscriber`: none).
  const subscriber = !process.argv.includes('--no-subscriber');
  const { figures, hub } = await chaosRun(dataDir, { webhooks, kills, outageMs, replies, drainMs, subscriber, log: (l) => console.log(l) });
  await hub.kill('SIGTERM');
  const { faults, badStatuses, ...rest } = figures;
  console.log('\nfaults injected:');
  for (const f of faults) console.log(`  ${f.kind}: ${f.startMs}–${f.endMs} ms, requests hit ${f.requestsHit}${f.inFlightAtKill ? `, messages in flight at the kill ${JSON.stringify(f.inFlightAtKill)}` : ''}${f.note ? ` (${f.note})` : ''}`);
  console.log('\nfigures:');
  for (const [k, v] of Object.entries(rest)) console.log(`  ${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`);
  console.log('\nbad input, answers:');
  for (const [k, v] of Object.entries(badStatuses).sort()) console.log(`  ${k}: ${v}`);
  const failed = chaosFailures(figures);
  console.log(failed.length ? `\nFAILED: ${failed.join(', ')}` : `\nOK: lost 0, stored twice 0, replies twice 0, 5xx to bad input 0${figures.outbound ? ', every stored result and thread delivered, 0 bad signatures' : ''}`);
  process.exitCode = failed.length ? 1 : 0;
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
