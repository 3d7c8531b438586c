/**
 * Contact CSV figures (`npm run bench -- csv`): a generated 30,000-row contact list (national,
 * spaced and international mobiles, 1 % invalid, 0.5 % duplicates) parsed, normalised to E.164 and
 * validated, in fresh processes (`CSV_RUNS`, default 7, alternating the two readers): time and peak
 * resident memory above the process's RSS before the parse, medians, for the reader as it is and for
 * the reader before its fast paths (csv-parse and libphonenumber-js for every row), same run. CPU ms
 * (user + system of the parse) is printed beside the wall time: on a loaded machine the wall time also
 * holds the time spent waiting for a core.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateContactCsv } from '#test/bench/rungopher.ts';

const ROWS = Number(process.env.CSV_ROWS ?? 30_000);
const RUNS = Number(process.env.CSV_RUNS ?? 7);
const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

interface Peak {
  ms: number;
  cpuMs: number;
  rows: number;
  valid: number;
  rssBefore: number;
  maxRssBefore: number;
  peakRss: number;
  heapBefore: number;
  heapAfter: number;
}

const dir = await mkdtemp(join(tmpdir(), 'switchboard-csv-'));
try {
  const file = join(dir, 'contacts.csv');
  const csv = generateContactCsv(ROWS);
  await writeFile(file, csv);
  const script = fileURLToPath(new URL('../rungopher/csv-peak.ts', import.meta.url));
  const runs: Record<'now' | 'before', Peak[]> = { now: [], before: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const which of i % 2 ? (['before', 'now'] as const) : (['now', 'before'] as const)) {
      const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, file, ...(which === 'before' ? ['--reference'] : [])], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`csv-peak failed: ${child.stderr}`);
      runs[which].push(JSON.parse(child.stdout) as Peak);
    }
  }
  console.log(`\n## Contact CSV, ${ROWS} rows (${(csv.length / 1024 / 1024).toFixed(1)} MB), median of ${RUNS} fresh processes each, load average ${loadavg()[0]?.toFixed(1)}`);
  console.log('reader | valid | parse+normalise+validate ms | min ms | max ms | CPU ms | peak RSS above before MB | RSS before MB | heap kept MB');
  for (const which of ['now', 'before'] as const) {
    const r = runs[which];
    const ms = r.map((x) => x.ms);
    console.log(
      `${which === 'now' ? 'as it is' : 'before the fast paths'} | ${r[0]?.valid} | ${median(ms).toFixed(0)} | ${Math.min(...ms).toFixed(0)} | ${Math.max(...ms).toFixed(0)} | ${median(r.map((x) => x.cpuMs)).toFixed(0)} | ${mb(median(r.map((x) => x.peakRss - Math.max(x.rssBefore, x.maxRssBefore))))} | ${mb(median(r.map((x) => x.rssBefore)))} | ${mb(median(r.map((x) => x.heapAfter - x.heapBefore)))}`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
