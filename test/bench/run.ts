/**
 * `npm run bench`: runs every benchmark script in this folder, one process each, and prints their
 * figures. Benchmarks print numbers; none of them passes or fails on a figure.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const only = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  // foundation first; otherwise by name without `.ts`, so `drain` runs before `drain-floor`.
  .sort((a, b) => (a === 'foundation.ts' ? -1 : b === 'foundation.ts' ? 1 : a.replace(/\.ts$/, '').localeCompare(b.replace(/\.ts$/, ''))))
  .filter((f) => !only.length || only.some((o) => f.startsWith(o)));
let failed = 0;
for (const script of scripts) {
  console.log(`\n# ${script.replace(/\.ts$/, '')}`);
  const out = spawnSync(process.execPath, ['--import', 'tsx', join(here, script)], {
    stdio: 'inherit',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
  if (out.status !== 0) {
    failed++;
    console.error(`${script} exited with ${out.status}`);
  }
}
process.exitCode = failed ? 1 : 0;
