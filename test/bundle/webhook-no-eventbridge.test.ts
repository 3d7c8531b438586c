import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import { functionList } from '#infra/topology/index.ts';
import { stackBundleInputs } from '#test/helpers/bundles.ts';

/**
 * The functions whose events go through their queue (`publishesThrough`: the webhooks) carry no
 * EventBridge client in their bundles, which is why their notices go that way (their cold start).
 */
const through = functionList().filter((f) => f.publishesThrough !== undefined);

describe('functions that publish through their queue', () => {
  it.each(through.map((f) => [f.name, f.entry] as const))('%s bundles no EventBridge client', async (_name, entry) => {
    const inputs = Object.keys(await stackBundleInputs(resolve(PROJECT_ROOT, entry)));
    expect(inputs.filter((p) => p.includes('client-eventbridge'))).toEqual([]);
  });
});
