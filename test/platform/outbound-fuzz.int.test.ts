import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cursorArbitrary, decoded, expectAnswer, headerText, pathSegment, queryString, requestBody, RUNS, send, text } from '#test/helpers/fuzz.ts';
import { operatorGet, startTestHub } from '#test/helpers/hub.ts';
import { newWebhookSecret, startReceiver } from '#test/helpers/receiver.ts';

/**
 * No input makes the subscription routes answer 5xx: arbitrary queries and cursors (given out,
 * altered, made up) on `GET /subscriptions`, arbitrary ids, bodies and tokens on
 * `POST /subscriptions/{id}/redrive`, through the local gateway, against a hub with two
 * subscriptions (bounded runs). An id that names no subscription is a 400 or a 404, never a redrive.
 */
type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let auth: Record<string, string>;
const given: string[] = [];
const IDS = ['crm', 'warehouse'];

beforeAll(async () => {
  const secret = newWebhookSecret();
  receiver = await startReceiver(secret);
  hub = await startTestHub({ env: { HUB_SUBSCRIPTIONS: JSON.stringify(IDS.map((id) => ({ id, url: receiver.url, secret, events: ['*'] }))) } });
  auth = { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` };
  const first = await operatorGet(hub, '/subscriptions?limit=1');
  expect(first.status).toBe(200);
  const cursor = (first.body as { nextCursor?: string | null }).nextCursor;
  if (cursor) given.push(cursor);
  expect(given.length).toBe(1);
});
afterAll(async () => {
  await hub?.cleanup();
  await receiver?.stop();
});

const cursor = cursorArbitrary(given, [
  text.map((t) => ['subscriptions', { after: t }]),
]);
const query = fc.tuple(queryString(['limit', 'cursor']), fc.option(cursor, { nil: undefined })).map(([qs, c]) => {
  const q = new URLSearchParams(qs);
  if (c !== undefined) q.set('cursor', c);
  return q;
});

describe('subscription operator routes under arbitrary input', () => {
  it('GET /subscriptions answers 2xx or 4xx to any query and cursor, and a 200 is a contract page', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const res = await fetch(`${hub.url}/subscriptions?${q}`, { headers: auth });
        const body = (await res.json().catch(() => undefined)) as { items?: { id: string }[]; nextCursor?: unknown } | undefined;
        expectAnswer({ request: `GET /subscriptions?${q.toString().slice(0, 200)}`, status: res.status });
        if (res.status === 200) {
          expect(Object.keys(body ?? {}).sort()).toEqual(['items', 'nextCursor']);
          for (const item of body?.items ?? []) expect(IDS).toContain(item.id);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('POST /subscriptions/{id}/redrive answers 2xx or 4xx to any id, body and token: 200 for a subscription, 4xx for anything else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom(...IDS), pathSegment), requestBody, fc.oneof({ weight: 3, arbitrary: fc.constant('operator' as const) }, { weight: 1, arbitrary: headerText }), async (id, body, token) => {
        const authorized = token === 'operator';
        const headers: Record<string, string> = authorized ? auth : token === undefined ? {} : { authorization: `Bearer ${token}` };
        const a = await send(hub.url, 'POST', `/subscriptions/${id}/redrive`, { headers, body: body as string | Buffer | undefined });
        expectAnswer(a);
        const known = IDS.includes(decoded(id));
        // The token is checked first (a header too large for the server is a 431); then a subscription's DLQ
        // is moved, and anything else is refused (an id too long for the request line: 414 or 431).
        const expected = !authorized ? [401, 431] : known ? [200] : [400, 404, 414, 431];
        expect({ request: a.request, status: a.status, expected: expected.includes(a.status) }).toEqual({ request: a.request, status: a.status, expected: true });
      }),
      { numRuns: RUNS },
    );
  });
});
