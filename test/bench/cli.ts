/**
 * `npm run bench -- cli`: the `switchboard` CLI's own start-up against `node -e 0` on the same Node
 * (the project's pinned one), runs interleaved so that the machine's load falls on all alike. "From
 * source" is how the bin ran before it was bundled: tsx transpiling the TypeScript on every run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '#infra/build-app.ts';

const runs = Number(process.argv[2] ?? 15);
const node = process.execPath;
const bin = join(PROJECT_ROOT, 'infra/cli/bin.mjs');
if (!existsSync(join(PROJECT_ROOT, 'infra/cli/dist/main.mjs'))) spawnSync(node, [join(PROJECT_ROOT, 'infra/cli/build.mjs')], { stdio: 'inherit' });

const cases: [string, string, string[]][] = [
  ['node -e 0', node, ['-e', '0']],
  ['bin --version (bundled)', node, [bin, '--version']],
  ['bin --help (bundled)', node, [bin, '--help']],
  ['bin rungopher --help (bundled, loads its chunk)', node, [bin, 'rungopher', '--help']],
  ['--version from source (tsx, as before)', node, ['--import', 'tsx', join(PROJECT_ROOT, 'infra/cli/main.ts'), '--version']],
  ['npx switchboard --version', 'npx', ['--no-install', 'switchboard', '--version']],
];
const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, cmd, args] of cases) {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: PROJECT_ROOT, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
    times.get(name)?.push(ms);
  }
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const base = median(times.get('node -e 0') ?? []);
console.log(`Node ${process.version}, ${runs} runs each, interleaved; median (min-max) ms, and x node -e 0`);
console.log('| command | median ms | min-max ms | x node -e 0 |');
console.log('|---|---|---|---|');
for (const [name] of cases) {
  const xs = times.get(name) ?? [];
  console.log(`| ${name} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)} | ${(median(xs) / base).toFixed(2)} |`);
}
