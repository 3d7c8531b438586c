import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cursorArbitrary, cursorUnkeyable, expectAnswer, headerText, queryString, RUNS, send, text } from '#test/helpers/fuzz.ts';
import { startTestHub } from '#test/helpers/hub.ts';

/**
 * No input makes a customer route answer 5xx: arbitrary phone and e-mail values, limits, cursors
 * (given out, altered, made up) and X-Requested-By headers, through the local gateway, against a hub
 * holding one person's Rungopher results (bounded runs).
 */
type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;
let auth: Record<string, string>;
const given: string[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  auth = { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` };
  for (const [id, type, data] of [
    [1, 'phone', { phone: '+61412345678' }],
    [2, 'email', { email: 'fuzz@example.com' }],
    [3, 'boolean', { answer: 'yes' }],
  ] as const) {
    const body = JSON.stringify({ id, campaignId: 15, contactId: 'c-fuzz', resultType: type, resultName: type, data, timestamp: `2026-11-0${id}T09:00:00Z` });
    expect((await fetch(`${hub.url}/webhooks/rungopher/${hub.env.RUNGOPHER_WEBHOOK_TOKEN ?? ''}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(200);
  }
  const page = async () => (await (await fetch(`${hub.url}/customers?phone=%2B61412345678&limit=1`, { headers: auth })).json()) as { items: unknown[]; nextCursor: string | null };
  for (let i = 0; i < 100 && (await page()).items.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  const first = await page();
  if (first.nextCursor) given.push(first.nextCursor);
  const backfill = (await (await fetch(`${hub.url}/customers/backfill`, { method: 'POST', headers: auth })).json()) as { nextCursor: string | null };
  if (backfill.nextCursor) given.push(backfill.nextCursor);
  expect(given.length).toBeGreaterThan(0);
}, 60_000);
afterAll(async () => {
  await hub?.cleanup();
});

const cursor = cursorArbitrary(given, [
  text.map((t) => ['customers', { at: t, ref: t }]),
  text.map((t) => ['customers-backfill', { table: 0, key: { id: t } }]),
  text.map((t) => ['customers-export', { i: 0, ref: t, skip: 1, part: 2 }]),
]);
const subject = fc.oneof(fc.constantFrom('+61412345678', '0412 345 678', 'fuzz@example.com', 'FUZZ@EXAMPLE.COM'), text);
const query = fc
  .tuple(queryString(['phone', 'email', 'limit', 'suppress']), fc.option(subject, { nil: undefined }), fc.option(cursor, { nil: undefined }))
  .map(([qs, phone, c]) => {
    const q = new URLSearchParams(qs);
    if (phone !== undefined && !/\p{Cs}/u.test(phone)) q.set(phone.includes('@') ? 'email' : 'phone', phone);
    if (c !== undefined) q.set('cursor', c);
    return q;
  });

describe('customer routes under arbitrary input', () => {
  it('GET /customers answers 2xx or 4xx to any query and cursor', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        expectAnswer(await send(hub.url, 'GET', `/customers?${q}`, { headers: auth }));
      }),
      { numRuns: RUNS },
    );
  });

  it('GET /customers/export answers 2xx or 4xx to any query and cursor', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        expectAnswer(await send(hub.url, 'GET', `/customers/export?${q}`, { headers: auth }));
      }),
      { numRuns: RUNS },
    );
  });

  it('DELETE /customers answers 2xx or 4xx to any query and X-Requested-By', async () => {
    await fc.assert(
      fc.asyncProperty(query, headerText, async (q, by) => {
        q.delete('cursor');
        expectAnswer(await send(hub.url, 'DELETE', `/customers?${q}`, { headers: { ...auth, ...(by !== undefined ? { 'x-requested-by': by } : {}) } }));
      }),
      { numRuns: RUNS },
    );
  });

  it('POST /customers/backfill answers 2xx or 4xx to any cursor, and refuses one no DynamoDB key could be made of', async () => {
    await fc.assert(
      fc.asyncProperty(cursor, async (c) => {
        expectAnswer(await send(hub.url, 'POST', `/customers/backfill?cursor=${encodeURIComponent(c)}`, { headers: auth }), cursorUnkeyable(c, () => 2048));
      }),
      { numRuns: RUNS },
    );
  });
});
