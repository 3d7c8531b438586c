/**
 * Run by the CSV benchmark in a fresh process: reads a CSV file, then parses, normalises and
 * validates it, and prints the process's resident memory before the parse and at its peak (maxRSS is
 * the OS's high-water mark, so the peak inside the synchronous parse is caught, not a later sample).
 * `--reference` runs the reader as it was before its fast paths (test/rungopher/contact-csv-reference.ts).
 */
import { readFileSync } from 'node:fs';
import { parseContactCsv } from '#rungopher/domain/contact-csv.ts';
import { referenceParseContactCsv } from '#test/rungopher/contact-csv-reference.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: csv-peak.ts FILE.csv [--reference]');
const read = process.argv.includes('--reference') ? referenceParseContactCsv : parseContactCsv;
const csv = readFileSync(file, 'utf8');
globalThis.gc?.();
const before = process.memoryUsage();
const maxBefore = process.resourceUsage().maxRSS * 1024;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const report = read(csv, { defaultCountry: 'AU', mode: 'live' });
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const after = process.memoryUsage();
process.stdout.write(
  JSON.stringify({
    ms,
    // CPU time of the parse (user + system): on a loaded machine the wall time also holds waiting for a core.
    cpuMs: (cpu.user + cpu.system) / 1000,
    rows: report.contacts.length + report.invalid.length + report.duplicates.length,
    valid: report.contacts.length,
    rssBefore: before.rss,
    maxRssBefore: maxBefore,
    peakRss: process.resourceUsage().maxRSS * 1024,
    heapBefore: before.heapUsed,
    heapAfter: after.heapUsed,
  }),
);
