import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Cursor, CursorStore } from '#platform/cursor-store.ts';
import { RungopherClient } from '#rungopher/adapters/client.ts';
import { parseContactCsv } from '#rungopher/domain/contact-csv.ts';
import { estimateCost } from '#rungopher/domain/cost.ts';
import { RESULT_ENDPOINTS } from '#rungopher/domain/results-polling.ts';
import { pollRungopherResults } from '#rungopher/use-cases/poll-results.ts';
import { startRungopherSandbox } from '#infra/local/sandboxes/rungopher.ts';

/**
 * Rungopher figures for `npm run bench`:
 * - parsing, normalising (E.164) and validating a generated 30,000-row contact CSV: time, rows per
 *   second and peak memory; and the cost estimate over the result;
 * - vendor API calls per 1,000 results polled, for a backfill and for steady state with the 15-minute
 *   look-back (which also shows how often each result is read again).
 * Run alone with `npx tsx test/bench/rungopher.ts`.
 */

const ROWS = 30_000;

/** A contact list as an export has it (also used by the CSV bench). */
export function generateContactCsv(rows: number): string {
  const lines = ['Contact ID,First Name,Last Name,Mobile Number,Email,Custom 1'];
  for (let i = 0; i < rows; i++) {
    const n = String(10_000_000 + i).slice(-8);
    // Mixed spellings a real export has: national, spaced, international; 1% invalid, 0.5% duplicates.
    const mobile = i % 200 === 7 ? '12345' : i % 200 === 9 ? `04${String(10_000_000 + i - 1).slice(-8)}` : i % 3 === 0 ? `04${n}` : i % 3 === 1 ? `+61 4${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5)}` : `614${n}`;
    const first = i % 100 === 3 ? '' : `First${i}`;
    lines.push(`${i + 1},${first},Last${i},${mobile},person${i}@example.com,tier-${i % 5}`);
  }
  return lines.join('\n') + '\n';
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function benchCsv(): Promise<Record<string, number | string>> {
  const csv = generateContactCsv(ROWS);
  // Memory is measured in a fresh process that only reads and parses the file, so the figure is the
  // parse's own peak, not this process's (which also built the CSV).
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-csv-'));
  const file = join(dir, 'contacts.csv');
  await writeFile(file, csv);
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('../rungopher/csv-peak.ts', import.meta.url)), file], { encoding: 'utf8' });
  await rm(dir, { recursive: true, force: true });
  if (child.status !== 0) throw new Error(`csv-peak failed: ${child.stderr}`);
  const m = JSON.parse(child.stdout) as { ms: number; rssBefore: number; maxRssBefore: number; peakRss: number; heapBefore: number; heapAfter: number };
  const report = parseContactCsv(csv, { defaultCountry: 'AU', mode: 'live' });
  const t1 = performance.now();
  const estimate = estimateCost(
    { costPerContact: 0.34, costPerExtraSms: 0.04, smsContent: [{ name: 'a', content: "Hi {firstName}! It's Sue from My Company. Would you like to come to our Great Event on Saturday? Reply YES or NO, {custom1} member." }, { name: 'b', content: 'Thanks {firstName}!' }] },
    report.contacts,
  );
  const costMs = performance.now() - t1;
  return {
    'csv.rows': ROWS,
    'csv.bytes': csv.length,
    'csv.valid': report.contacts.length,
    'csv.invalid': report.invalid.length,
    'csv.duplicates': report.duplicates.length,
    'csv.parseValidateMs': Math.round(m.ms),
    'csv.rowsPerSecond': Math.round(ROWS / (m.ms / 1000)),
    'csv.rssBeforeParseMb': mb(m.rssBefore),
    'csv.peakRssDuringParseMb': mb(m.peakRss),
    'csv.peakRssAboveBeforeMb': mb(m.peakRss - Math.max(m.rssBefore, m.maxRssBefore)),
    'csv.heapRetainedAfterParseMb': mb(m.heapAfter - m.heapBefore),
    'cost.estimateMs': Math.round(costMs),
    'cost.totalVendor': estimate.totalVendor,
  };
}

function memoryCursors(): CursorStore {
  const cursors = new Map<string, Cursor>();
  return {
    async get(name) {
      return cursors.get(name);
    },
    async move(name, expected, value) {
      if (cursors.get(name)?.version !== expected?.version) return false;
      cursors.set(name, { name, value, version: (expected?.version ?? 0) + 1, updatedAt: new Date().toISOString() });
      return true;
    },
  };
}

async function benchPolling(): Promise<Record<string, number | string>> {
  const sandbox = await startRungopherSandbox({ apiKey: 'bench', seed: false });
  try {
    let calls = 0;
    const client = new RungopherClient({ baseUrl: sandbox.url, apiKey: 'bench', fetchImpl: (u, i) => (calls++, fetch(u, i)) });
    const seen = new Set<string>();
    let storeCalls = 0;
    const sink = {
      store: async (r: { id: string }): Promise<'stored' | 'duplicate'> => {
        storeCalls++;
        if (seen.has(r.id)) return 'duplicate';
        seen.add(r.id);
        return 'stored';
      },
    };
    const ports = { source: client, sink, cursors: memoryCursors(), quarantine: { put: async () => ({ id: 'q', created: true }) } };
    const t0 = Date.parse('2024-01-01T00:00:00Z');
    let id = 1;
    const make = (ms: number, i: number) => ({
      id: id++,
      campaignId: 15,
      contactId: String(i % 500),
      resultType: 'boolean',
      resultName: RESULT_ENDPOINTS[i % RESULT_ENDPOINTS.length],
      data: { answer: 'yes' },
      timestamp: new Date(ms).toISOString(),
    });
    const settings = { lookbackMs: 15 * 60_000, startMs: Date.parse('2017-01-01T00:00:00Z'), deadlineMs: Date.now() + 600_000, storeConcurrency: 16 };

    // Backfill: 6,000 results already there on the first run.
    sandbox.addResults(Array.from({ length: 6000 }, (_, i) => make(t0 + i * 1000, i)), { deliver: false });
    const tb = performance.now();
    const backfill = await pollRungopherResults(ports, settings);
    const backfillMs = performance.now() - tb;
    const backfillCalls = calls;

    // Steady state: 24 runs 5 minutes apart, 250 new results per 5 minutes (3,000 an hour).
    calls = 0;
    storeCalls = 0;
    let reads = 0;
    let stored = 0;
    let base = t0 + 6000 * 1000;
    for (let run = 0; run < 24; run++) {
      sandbox.addResults(Array.from({ length: 250 }, (_, i) => make(base + i * 1200, i)), { deliver: false });
      base += 300_000;
      const o = await pollRungopherResults(ports, settings);
      reads += o.endpoints.reduce((n, e) => n + e.read, 0);
      stored += o.stored;
    }
    return {
      'poll.backfillResults': backfill.stored,
      'poll.backfillCalls': backfillCalls,
      'poll.backfillCallsPer1000Results': Math.round((backfillCalls / backfill.stored) * 1000 * 100) / 100,
      'poll.backfillMs': Math.round(backfillMs),
      'poll.steadyResults': stored,
      'poll.steadyCalls': calls,
      'poll.steadyCallsPer1000Results': Math.round((calls / stored) * 1000 * 10) / 10,
      'poll.steadyReadsPerResult (look-back re-reads)': Math.round((reads / stored) * 100) / 100,
      'poll.steadyStoreCallsPerResult (DynamoDB writes)': Math.round((storeCalls / stored) * 100) / 100,
      'poll.callsPerDayAt5Min': 12 * 288,
    };
  } finally {
    await sandbox.stop();
  }
}

/** Every Rungopher figure, as name -> value. */
export async function benchRungopher(): Promise<Record<string, number | string>> {
  return { ...(await benchCsv()), ...(await benchPolling()) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await benchRungopher();
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(48)} ${v}`);
}
