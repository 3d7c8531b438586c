import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNS, cursorStrings, decoded, expectAnswer, pathSegment, queryString, send, text, unkeyable } from '#test/helpers/fuzz.ts';
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

  // The edges that reach DynamoDB (values past its key limits, NUL, made-up cursors), route by route;
  // a value no key can hold must be refused before DynamoDB, which dynalite would not do for us.
  describe('with the shared operator-route arbitraries', () => {
    const auth = () => ({ authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` });
    const b64 = (json: string) => Buffer.from(json, 'utf8').toString('base64url');
    const cursor = fc.oneof(
      text.map((t) => b64(JSON.stringify(['rungopher-results', `2026-01-01T00:00:00.000Z#${t}`]))),
      text.map((t) => b64(JSON.stringify(['rungopher-replay', { id: t }]))),
      fc.json().map(b64),
      text,
    );
    const withCursor = (keys: readonly string[]) =>
      fc.tuple(queryString(keys), fc.option(cursor, { nil: undefined })).map(([qs, c]) => {
        const q = new URLSearchParams(qs);
        if (c !== undefined) q.set('cursor', c);
        return q;
      });
    const refused = (q: URLSearchParams, ...ids: string[]) => [...ids, ...['campaignId', 'contactId', 'resultName'].map((k) => q.get(k) ?? '')].some((v) => unkeyable(v)) || cursorStrings(q.get('cursor')).some((v) => unkeyable(v));

    it('GET /rungopher/results', async () => {
      await fc.assert(
        fc.asyncProperty(withCursor(['campaignId', 'contactId', 'resultName', 'after', 'limit']), async (q) => {
          expectAnswer(await send(hub.url, 'GET', `/rungopher/results?${q}`, { headers: auth() }), refused(q));
        }),
        { numRuns: RUNS },
      );
    });

    it('GET /rungopher/campaigns/{campaignId}/contacts/{contactId}', async () => {
      await fc.assert(
        fc.asyncProperty(pathSegment, pathSegment, async (campaignId, contactId) => {
          const answer = await send(hub.url, 'GET', `/rungopher/campaigns/${campaignId}/contacts/${contactId}`, { headers: auth() });
          expectAnswer(answer, unkeyable(decoded(campaignId)) || unkeyable(decoded(contactId)));
        }),
        { numRuns: RUNS },
      );
    });

    it('POST /rungopher/replay', async () => {
      await fc.assert(
        fc.asyncProperty(withCursor([]), async (q) => {
          // Replay's position is the results table's partition key: up to 2048 bytes is a key.
          expectAnswer(await send(hub.url, 'POST', `/rungopher/replay?${q}`, { headers: auth() }), cursorStrings(q.get('cursor')).some((v) => unkeyable(v, 2048)));
        }),
        { numRuns: RUNS },
      );
    });
  });
});
