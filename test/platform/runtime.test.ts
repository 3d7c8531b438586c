import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import { BUNDLE_TARGET, LAMBDA_RUNTIME } from '#infra/constructs/hub-function.ts';

/** The project runs on the Node major that Lambda runs, whatever Node the machine has. */
const lambdaMajor = /^nodejs(\d+)\.x$/.exec(LAMBDA_RUNTIME.name)?.[1];
const pkg = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };

describe('Node runtime', () => {
  it('tests run on the Lambda runtime major, with node:sqlite', async () => {
    expect(lambdaMajor).toBeDefined();
    expect(process.versions.node.split('.')[0]).toBe(lambdaMajor);
    expect(BUNDLE_TARGET).toBe(`node${lambdaMajor}`);
    await expect(import('node:sqlite')).resolves.toHaveProperty('DatabaseSync');
  });

  it('pins an exact `node` dev dependency of that major', () => {
    expect(pkg.devDependencies.node).toMatch(new RegExp(`^${lambdaMajor}\\.\\d+\\.\\d+$`));
  });

  it('the switchboard bin re-runs itself on the pinned Node when started by another one', () => {
    const bin = resolve(PROJECT_ROOT, 'infra/cli/bin.mjs');
    // /usr/bin/env node from a PATH without node_modules/.bin: the machine's own Node, if any.
    const path = (process.env.PATH ?? '').split(':').filter((p) => !p.includes('node_modules')).join(':');
    const out = spawnSync('node', [bin, 'node-version'], { cwd: PROJECT_ROOT, env: { ...process.env, PATH: path }, encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(out.stdout.trim()).toBe(process.version);
  });
});
