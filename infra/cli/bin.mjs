#!/usr/bin/env node
// The `switchboard` command: runs the CLI bundled into infra/cli/dist by `npm ci` (the `prepare`
// script; `npm run build:cli` again after changing its sources), so no TypeScript is transpiled on a
// run. It runs on the project's pinned Node (the Lambda runtime's major, from the `node` dev
// dependency): `npx switchboard` and npm scripts find that Node first on PATH; a call from anywhere
// else (a global link, an absolute path) re-runs itself on it, so the CLI never runs on a Node Lambda
// does not run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const pinned = new URL('../../node_modules/node/bin/node', import.meta.url);
// The major of the exact `node` dev dependency, so a bump of the pin needs no edit here.
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const pinnedMajor = String(pkg.devDependencies?.node ?? '').split('.')[0];
if (pinnedMajor && process.versions.node.split('.')[0] !== pinnedMajor && existsSync(pinned)) {
  const run = spawnSync(pinned.pathname, [new URL(import.meta.url).pathname, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
const bundle = new URL('./dist/main.mjs', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('switchboard: the CLI is not built (infra/cli/dist/main.mjs is missing); run npm run build:cli (npm ci does it)\n');
  process.exit(1);
}
await import(bundle.href);
