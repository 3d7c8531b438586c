import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cursorArbitrary, cursorUnkeyable, decoded, expectAnswer, pathSegment, queryString, RUNS, send, text, unkeyable } from '#test/helpers/fuzz.ts';
import { operatorGet, startTestHub } from '#test/helpers/hub.ts';

/**
 * No input makes a Netcore operator route answer 5xx, and none that DynamoDB could not take as a key
 * reaches it: arbitrary path values, query strings and cursors (given out, altered, made up) through
 * the local gateway, against a hub holding synced users and transcripts (bounded runs).
 */
type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;
let auth: Record<string, string>;
/** Cursors the API gave out, so the fuzz also starts from real positions. */
const given: string[] = [];
const USER = encodeURIComponent('+919876543213');

beforeAll(async () => {
  hub = await startTestHub({ env: { NETCORE_SANDBOX_USERS_PER_CHANNEL: '2', NETCORE_SANDBOX_MESSAGES_PER_USER: '6', NETCORE_USERS_LIMIT: '25' } });
  auth = { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` };
  expect(await hub.runSchedule('netcore-users-poller')).toMatchObject({ ok: true });
  for (const path of ['/netcore/users?limit=1', '/netcore/users?limit=1&channelId=1014', `/netcore/users/${USER}/transcripts?limit=1`]) {
    const r = await operatorGet(hub, path);
    const cursor = (r.body as { nextCursor?: string | null }).nextCursor;
    if (cursor) given.push(cursor);
  }
  expect(given.length).toBeGreaterThan(0);
});
afterAll(async () => {
  await hub?.cleanup();
});

const cursor = cursorArbitrary(given, [
  text.map((t) => ['netcore-transcripts', { botUserId: '+919876543213', sortKey: t }]),
  text.map((t) => ['netcore-users', { 1014: { botUserId: t, channel: '1014', activityKey: t } }]),
]);
const query = fc.tuple(queryString(['channelId', 'after', 'limit', 'month']), fc.option(cursor, { nil: undefined })).map(([qs, c]) => {
  const q = new URLSearchParams(qs);
  if (c !== undefined) q.set('cursor', c);
  return q;
});
/** The sort keys of Netcore's cursors (1024 bytes); the other fields are partition keys (2048). */
const SORT_FIELDS = new Set(['activityKey', 'sortKey']);
/** Whether a query carries a cursor no DynamoDB start key could be made of. */
const badCursor = (q: URLSearchParams) => cursorUnkeyable(q.get('cursor'), (field) => (SORT_FIELDS.has(field) ? 1024 : 2048));

describe('Netcore operator routes under arbitrary input', () => {
  it('GET /netcore/users answers 2xx or 4xx to any query and cursor', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        expectAnswer(await send(hub.url, 'GET', `/netcore/users?${q}`, { headers: auth }), badCursor(q));
      }),
      { numRuns: RUNS },
    );
  });

  it('GET /netcore/users/{botUserId} answers 2xx or 4xx to any user id', async () => {
    await fc.assert(
      fc.asyncProperty(pathSegment, async (id) => {
        expectAnswer(await send(hub.url, 'GET', `/netcore/users/${id}`, { headers: auth }), unkeyable(decoded(id)));
      }),
      { numRuns: RUNS },
    );
  });

  it('GET /netcore/users/{botUserId}/transcripts answers 2xx or 4xx to any user id, query and cursor', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(USER), pathSegment), query, async (id, q) => {
        expectAnswer(await send(hub.url, 'GET', `/netcore/users/${id}/transcripts?${q}`, { headers: auth }), unkeyable(decoded(id)) || badCursor(q));
      }),
      { numRuns: RUNS },
    );
  });

  it('GET /netcore/usage answers 2xx or 4xx to any month and channel', async () => {
    await fc.assert(
      fc.asyncProperty(queryString(['month', 'channelId']), async (q) => {
        expectAnswer(await send(hub.url, 'GET', `/netcore/usage?${q}`, { headers: auth }));
      }),
      { numRuns: RUNS },
    );
  });
});
