import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoodaysSandbox } from '#infra/local/sandboxes/goodays.ts';
import { RUNS, cursorStrings, decoded, expectAnswer, headerText, jsonStrings, pathSegment, queryString, requestBody, send, text, unkeyable } from '#test/helpers/fuzz.ts';
import { eventually, operatorGet, startTestHub } from '#test/helpers/hub.ts';

/**
 * No input makes a Goodays operator route answer 5xx, and none that DynamoDB could not take as a key
 * reaches it: arbitrary path values, queries, cursors, bodies and Idempotency-Keys through the local
 * gateway, against a hub holding received threads (bounded runs).
 */
type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;
let auth: Record<string, string>;
const RESPONSES = ['vdOpL1NJ74l', 'G00gleRev1', 'fuzzResponse3'];
/** What the API gave out (a cursor, an action id), so the fuzz also starts from real values. */
const given = { cursors: [] as string[], actionIds: [] as string[] };

beforeAll(async () => {
  hub = await startTestHub();
  auth = { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` };
  const sandbox = hub.sandboxes.goodays as GoodaysSandbox;
  sandbox.addResponse({ id: 'fuzzResponse3' });
  for (const id of RESPONSES) expect((await sandbox.sendWebhook('response', id)).status).toBe(200);
  for (const id of RESPONSES) await eventually(async () => ((await operatorGet(hub, `/goodays/responses/${id}`)).status === 200 ? true : undefined));
  for (const q of ['limit=1', 'limit=1&state=open']) {
    const cursor = ((await operatorGet(hub, `/goodays/responses?${q}`)).body as { nextCursor?: string | null }).nextCursor;
    if (cursor) given.cursors.push(cursor);
  }
  // One action of the last response, so the action routes have a real id too.
  const r = await fetch(`${hub.url}/goodays/responses/${RESPONSES[2]}/spam`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
  given.actionIds.push(String(((await r.json()) as { actionId?: string }).actionId));
  expect(given.cursors.length).toBeGreaterThan(0);
});
afterAll(async () => {
  await hub?.cleanup();
});

const b64 = (json: string) => Buffer.from(json, 'utf8').toString('base64url');
const cursor = fc.oneof(
  fc.constant(null).chain(() => fc.constantFrom(...given.cursors)),
  text.map((t) => b64(JSON.stringify(['goodays-responses', { responseId: t }]))),
  text.map((t) => b64(JSON.stringify(['goodays-responses', { responseId: 'vdOpL1NJ74l', threadState: 'open', lastEventAt: t }]))),
  fc.json().map(b64),
  text,
);
const listQuery = fc.tuple(queryString(['state', 'limit']), fc.option(cursor, { nil: undefined })).map(([qs, c]) => {
  const q = new URLSearchParams(qs);
  if (c !== undefined) q.set('cursor', c);
  return q;
});
const responseId = fc.oneof(fc.constantFrom(...RESPONSES, 'neverReceived1'), pathSegment);
const actionId = fc.oneof(
  fc.constant(null).chain(() => fc.constantFrom(...given.actionIds)),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }).map((h) => `gda_${h}`),
  pathSegment,
);
const action = fc.oneof(fc.constantFrom('reply', 'message', 'call', 'close', 'spam'), pathSegment);
/** Bodies of each action's shape, some with a lone surrogate or a NUL in their text, besides anything at all. */
const actionBody = fc.oneof(
  requestBody,
  fc
    .record({ content: fc.oneof(text, fc.constantFrom('\ud800', 'thanks \udfff', 'a\u0000b')), user: fc.constantFrom('op@cs.example.com', '\ud800@x.example'), remark_type: fc.constant('Praise') }, { requiredKeys: ['content'] })
    .map((o) => JSON.stringify(o)),
  fc.record({ rating: fc.integer({ min: -1, max: 6 }), note: fc.oneof(text, fc.constant('\ud800')) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
);
const post = (path: string, body: string | Buffer | undefined, key: string | undefined) =>
  send(hub.url, 'POST', path, { headers: { ...auth, 'content-type': 'application/json', ...(key !== undefined ? { 'idempotency-key': key } : {}) }, body });

describe('Goodays operator routes under arbitrary input', () => {
  it('GET /goodays/responses answers 2xx or 4xx to any state, limit and cursor', async () => {
    await fc.assert(
      fc.asyncProperty(listQuery, async (q) => {
        expectAnswer(await send(hub.url, 'GET', `/goodays/responses?${q}`, { headers: auth }), cursorStrings(q.get('cursor')).some((v) => unkeyable(v)));
      }),
      { numRuns: RUNS },
    );
  });

  it('GET /goodays/responses/{id} answers 2xx or 4xx to any id', async () => {
    await fc.assert(
      fc.asyncProperty(responseId, async (id) => {
        expectAnswer(await send(hub.url, 'GET', `/goodays/responses/${id}`, { headers: auth }), unkeyable(decoded(id)));
      }),
      { numRuns: RUNS },
    );
  });

  it('POST /goodays/responses/{id}/{action} answers 2xx or 4xx to any id, action, body and Idempotency-Key', async () => {
    await fc.assert(
      fc.asyncProperty(responseId, action, actionBody, headerText, async (id, a, body, key) => {
        // A lone surrogate can be neither stored nor sent to Goodays as UTF-8: such a body is a 400
        // before the response is even looked up (an unknown one included).
        const oddText = typeof body === 'string' && jsonStrings(body).some((s) => /\p{Cs}/u.test(s));
        expectAnswer(await post(`/goodays/responses/${id}/${a}`, body, key), unkeyable(decoded(id)) || unkeyable(decoded(a)) || oddText);
      }),
      { numRuns: RUNS },
    );
  });

  it('GET /goodays/actions/{actionId} answers 2xx or 4xx to any id', async () => {
    await fc.assert(
      fc.asyncProperty(actionId, async (id) => {
        expectAnswer(await send(hub.url, 'GET', `/goodays/actions/${id}`, { headers: auth }), unkeyable(decoded(id)));
      }),
      { numRuns: RUNS },
    );
  });

  it('POST /goodays/actions/{actionId}/resolve answers 2xx or 4xx to any id and body', async () => {
    const resolution = fc.oneof(requestBody, fc.record({ outcome: fc.constantFrom('sent', 'not-sent', 'x'), note: fc.oneof(text, fc.constant('\ud800')) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)));
    await fc.assert(
      fc.asyncProperty(actionId, resolution, async (id, body) => {
        const oddText = typeof body === 'string' && jsonStrings(body).some((s) => /\p{Cs}/u.test(s));
        expectAnswer(await post(`/goodays/actions/${id}/resolve`, body, undefined), unkeyable(decoded(id)) || oddText);
      }),
      { numRuns: RUNS },
    );
  });
});
