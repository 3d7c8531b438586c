#!/usr/bin/env node
// The `switchboard` command: loads the TypeScript CLI through tsx, so no build step is needed.
// It runs on the project's pinned Node (the Lambda runtime's major, from the `node` dev dependency):
// `npx switchboard` and npm scripts find that Node first on PATH; a call from anywhere else (a global
// link, an absolute path) re-runs itself on it, so the CLI never runs on a Node Lambda does not run.
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';

const pinned = fileURLToPath(new URL('../../node_modules/node/bin/node', import.meta.url));
// The major of the exact `node` dev dependency, so a bump of the pin needs no edit here.
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const pinnedMajor = String(pkg.devDependencies?.node ?? '').split('.')[0];
if (pinnedMajor && process.versions.node.split('.')[0] !== pinnedMajor && existsSync(pinned)) {
  const run = spawnSync(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
const { register } = await import('tsx/esm/api');
register();
await import('./main.ts');
