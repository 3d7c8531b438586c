import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import { functionList } from '#infra/topology/index.ts';
import { parseEventBody } from '#goodays/domain/events.ts';
import { parseResult } from '#rungopher/domain/result.ts';
import { stackBundle, stackBundleInputs } from '#test/helpers/bundles.ts';

/**
 * The webhook functions answer vendors on a cold start, so their bundles hold zod/mini only: classic
 * zod costs several times as much to load and to build schemas with (`npm run bench -- cold`). So does
 * the Rungopher processor, which every result goes through, and the Goodays event processor, which every
 * Goodays event goes through.
 */

/** Every function behind a `/webhooks/…` route, from the topology. */
const webhooks = functionList().filter((f) => f.trigger.kind === 'http' && f.trigger.routes.some((r) => r.path.startsWith('/webhooks/')));

/** Queue processors whose module graph is zod/mini only. */
const MINI_PROCESSORS = ['rungopher-processor', 'goodays-event-processor'];
const processors = functionList().filter((f) => MINI_PROCESSORS.includes(f.name));

describe('the webhook bundles', () => {
  it('are the Rungopher and Goodays webhooks', () => {
    expect(webhooks.map((f) => f.name).sort()).toEqual(['goodays-webhook', 'rungopher-webhook']);
  });

  it.each(webhooks.map((f) => [f.name, f.entry] as const))('%s reads no classic zod, only zod/mini', async (_name, entry) => {
    const inputs = Object.keys(await stackBundleInputs(resolve(PROJECT_ROOT, entry)));
    expect(inputs.filter((p) => p.includes('zod/v4/classic'))).toEqual([]);
    expect(inputs.some((p) => p.includes('zod/v4/mini/'))).toBe(true);
  });
});

describe('the processor bundles held to zod/mini', () => {
  it('are in the topology', () => {
    expect(processors.map((f) => f.name).sort()).toEqual([...MINI_PROCESSORS].sort());
  });

  it.each(processors.map((f) => [f.name, f.entry] as const))('%s reads no classic zod, only zod/mini', async (_name, entry) => {
    const inputs = Object.keys(await stackBundleInputs(resolve(PROJECT_ROOT, entry)));
    expect(inputs.filter((p) => p.includes('zod/v4/classic'))).toEqual([]);
    expect(inputs.some((p) => p.includes('zod/v4/mini/'))).toBe(true);
  });
});

describe('zod/mini without classic zod', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zod-mini-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Bodies whose quarantine reasons hold zod's own messages (a wrong type, a bad date).
  const result = JSON.stringify({ id: 1, campaignId: 2, contactId: 'c', resultType: 'email', resultName: 'newEmail', data: { email: 7 }, timestamp: 'yesterday' });
  const event = JSON.stringify({ event_type: 'response', response: { id: 'vdOpL1NJ74l', state: 5 } });

  it('gives the same English issues in a bundle that holds no classic zod', async () => {
    const source = [
      "import { parseEventBody } from '#goodays/domain/events.ts';",
      "import { parseResult } from '#rungopher/domain/result.ts';",
      `console.log(JSON.stringify([parseResult(${JSON.stringify(result)}), parseEventBody(${JSON.stringify(event)})]));`,
    ].join('\n');
    const input = { source, resolveDir: PROJECT_ROOT };
    expect(Object.keys(await stackBundleInputs(input)).filter((p) => p.includes('zod/v4/classic'))).toEqual([]);
    const file = join(dir, 'reasons.mjs');
    await stackBundle(input, file);
    const inBundle = JSON.parse(execFileSync(process.execPath, [file], { encoding: 'utf8' })) as unknown;
    // Here classic zod is loaded too, which sets English on its first schema.
    const here = [parseResult(result), parseEventBody(event)];
    expect(JSON.stringify(here)).toContain('expected string, received number');
    expect(inBundle).toEqual(here);
  });
});
