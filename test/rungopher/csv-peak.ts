/**
 * Run by the Rungopher benchmark in a fresh process: reads a CSV file, then parses, normalises and
 * validates it, and prints the process's resident memory before the parse and at its peak (maxRSS is
 * the OS's high-water mark, so the peak inside the synchronous parse is caught, not a later sample).
 */
import { readFileSync } from 'node:fs';
import { parseContactCsv } from '#rungopher/domain/contact-csv.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: csv-peak.ts FILE.csv');
const csv = readFileSync(file, 'utf8');
globalThis.gc?.();
const before = process.memoryUsage();
const maxBefore = process.resourceUsage().maxRSS * 1024;
const t0 = performance.now();
const report = parseContactCsv(csv, { defaultCountry: 'AU', mode: 'live' });
const ms = performance.now() - t0;
const after = process.memoryUsage();
process.stdout.write(
  JSON.stringify({
    ms,
    rows: report.contacts.length + report.invalid.length + report.duplicates.length,
    rssBefore: before.rss,
    maxRssBefore: maxBefore,
    peakRss: process.resourceUsage().maxRSS * 1024,
    heapBefore: before.heapUsed,
    heapAfter: after.heapUsed,
  }),
);
