import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub } from '#test/helpers/hub.ts';
import { makeResult } from './samples.ts';

/**
 * No input makes a Rungopher route answer 5xx: arbitrary bodies, encodings, tokens and query strings
 * against the webhook and the operator API through the local gateway (bounded runs).
 */
type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.cleanup();
});

const body = fc.oneof(
  fc.string(),
  fc.json(),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.record({ id: fc.oneof(fc.integer(), fc.string()), campaignId: fc.anything(), resultName: fc.string(), timestamp: fc.string() }).map((o) => JSON.stringify(o)),
  fc.integer({ min: 1, max: 1e9 }).map((id) => JSON.stringify(makeResult({ id }))),
);

describe('Rungopher routes under arbitrary input', () => {
  it('the webhook answers 200, 401 or 413, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), fc.constantFrom('application/json', 'text/plain', 'application/octet-stream'), async (b, rightToken, type) => {
        const token = rightToken ? hub.env.RUNGOPHER_WEBHOOK_TOKEN : 'wrong';
        const res = await fetch(`${hub.url}/webhooks/rungopher/${token}`, { method: 'POST', headers: { 'content-type': type }, body: b });
        await res.arrayBuffer();
        expect(rightToken ? [200, 413] : [401]).toContain(res.status);
      }),
      { numRuns: 80 },
    );
  });

  it('the operator API answers 2xx or 4xx to any query, cursor and path', async () => {
    const auth = { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` };
    const q = fc.dictionary(fc.constantFrom('campaignId', 'contactId', 'resultName', 'after', 'limit', 'cursor', 'x'), fc.string(), { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(q, fc.string(), fc.string(), async (query, campaignId, contactId) => {
        const qs = new URLSearchParams(query).toString();
        for (const [method, path] of [
          ['GET', `/rungopher/results?${qs}`],
          ['POST', `/rungopher/replay?${qs}`],
          ['GET', `/rungopher/campaigns/${encodeURIComponent(campaignId || 'c')}/contacts/${encodeURIComponent(contactId || 'k')}`],
        ] as const) {
          const res = await fetch(`${hub.url}${path}`, { method, headers: auth });
          await res.arrayBuffer();
          expect({ path, status: res.status < 500 }).toEqual({ path, status: true });
        }
      }),
      { numRuns: 40 },
    );
  });
});
