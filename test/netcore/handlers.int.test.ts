import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNetcoreSandbox, type NetcoreSandbox } from '#infra/local/sandboxes/netcore.ts';
import { MESSAGE_TYPES } from '#netcore/domain/messages.ts';
import { compileRoute, matchRoute } from '#infra/local/gateway.ts';
import { functions } from '#infra/topology/index.ts';
import { fakeContext, startNetcoreEmulators, type NetcoreEmulators, type NetcoreResources } from './env.ts';

/**
 * The four Netcore Lambda handlers, called as Lambda would call them, with the environment the
 * topology gives them, against the sandbox, dynalite and fauxqs.
 */

type Http = (e: APIGatewayProxyEventV2, c: ReturnType<typeof fakeContext>) => Promise<APIGatewayProxyStructuredResultV2>;
type Sqs = (e: SQSEvent, c: ReturnType<typeof fakeContext>) => Promise<SQSBatchResponse>;
type Scheduled = (e: unknown, c: ReturnType<typeof fakeContext>) => Promise<void>;

let emu: NetcoreEmulators;
let res: NetcoreResources;
let sandbox: NetcoreSandbox;
let h: { usage: Scheduled; users: Scheduled; worker: Sqs; api: Http };
const TOKEN = 'operator-token-for-tests';

beforeAll(async () => {
  emu = await startNetcoreEmulators();
  res = await emu.provision('handlers');
  sandbox = await startNetcoreSandbox({ appId: 'app', appSecret: 'secret', tokenTtlMs: 120_000, seed: { usersPerChannel: 4, messagesPerUser: 30 } });
  Object.assign(process.env, {
    NETCORE_BASE_URL: sandbox.url,
    NETCORE_APP_ID: 'app',
    NETCORE_APP_SECRET: 'secret',
    HUB_OPERATOR_TOKEN: TOKEN,
    NETCORE_USERS_LIMIT: '25',
    NETCORE_TIME_RESERVE_MS: '1000',
    NETCORE_USAGE_CHANNELS: '1010,1014,1016,1017,1021',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  h = {
    usage: (await import('#netcore/handlers/usage-poller.ts')).handler as unknown as Scheduled,
    users: (await import('#netcore/handlers/users-poller.ts')).handler as unknown as Scheduled,
    worker: (await import('#netcore/handlers/transcripts-worker.ts')).handler as unknown as Sqs,
    api: (await import('#netcore/handlers/api.ts')).handler as unknown as Http,
  };
  // One full sync, as the schedules and the queue would run it.
  await h.usage({}, fakeContext());
  await h.users({}, fakeContext());
  for (let guard = 0; guard < 100; guard++) {
    const records = await res.receive();
    if (records.length === 0) break;
    const out = await h.worker({ Records: records }, fakeContext());
    const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
    for (const r of records) if (!failed.has(r.messageId)) await res.delete(r);
    if (failed.size > 0) throw new Error(`worker failed ${failed.size} job(s)`);
  }
});
afterAll(async () => {
  await sandbox.stop();
  await emu.stop();
});

/** The operator API's routes as the gateway (local or API Gateway) matches them. */
const apiTrigger = functions['netcore-api'].trigger;
const ROUTES = apiTrigger.kind === 'http' ? apiTrigger.routes.map((r) => compileRoute(r.method, r.path, 'netcore-api')) : [];

/** A GET as API Gateway hands it over: route key and decoded path parameters of the matched route. */
function get(path: string, query: Record<string, string> = {}, token: string | null = TOKEN): Promise<APIGatewayProxyStructuredResultV2> {
  const qs = new URLSearchParams(query).toString();
  const matched = matchRoute(ROUTES, 'GET', path);
  if (!matched) throw new Error(`no route for ${path}`);
  const event = {
    version: '2.0',
    routeKey: matched.route.routeKey,
    pathParameters: Object.keys(matched.params).length ? matched.params : undefined,
    rawPath: path,
    rawQueryString: qs,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    isBase64Encoded: false,
    requestContext: { requestId: 'r1', http: { method: 'GET', path } },
  } as unknown as APIGatewayProxyEventV2;
  return h.api(event, fakeContext());
}

async function body<T>(r: Promise<APIGatewayProxyStructuredResultV2>): Promise<{ status: number | undefined; json: T }> {
  const out = await r;
  return { status: out.statusCode, json: JSON.parse(String(out.body)) as T };
}

interface UsersBody {
  items: { botUserId: string; channelId: string; lastInteractedAt: string; customFields: unknown; tags: unknown }[];
  nextCursor: string | null;
}
interface TranscriptsBody {
  items: { key: string; createdAt: string; type: string; shape: string; message: unknown }[];
  nextCursor: string | null;
}

describe('Netcore handlers', () => {
  it('the worker quarantines a job it cannot read and acknowledges it', async () => {
    const bad = { messageId: 'bad-1', body: '{"botUserId":""}', attributes: { SentTimestamp: '1700000000000' } } as unknown as SQSEvent['Records'][number];
    const notJson = { messageId: 'bad-2', body: 'not json' } as SQSEvent['Records'][number];
    expect(await h.worker({ Records: [bad, notJson] }, fakeContext())).toEqual({ batchItemFailures: [] });
    const q = await res.quarantined();
    expect(q.map((i) => [i.requestId, i.vendor, i.stage, i.body]).sort()).toEqual([
      ['bad-1', 'netcore', 'processor', '{"botUserId":""}'],
      ['bad-2', 'netcore', 'processor', 'not json'],
    ]);
    expect(q.find((i) => i.requestId === 'bad-1')).toMatchObject({ receivedAt: '2023-11-14T22:13:20.000Z', reason: expect.stringMatching(/botUserId/) });
    expect(q.find((i) => i.requestId === 'bad-2')?.reason).toMatch(/not JSON/);
  });

  it('the worker acknowledges a job the vendor refuses with a 4xx (no retry), and hands back what it has no time for', async () => {
    const job = (id: string) => ({ messageId: id, body: JSON.stringify({ botUserId: 'webchat-user-1', channelId: 1010, since: new Date(Date.now() - 86_400_000).toISOString(), until: new Date().toISOString() }) }) as SQSEvent['Records'][number];
    for (const status of [400, 403, 404, 422]) {
      const before = sandbox.counts.transcripts;
      sandbox.failNext(status);
      expect(await h.worker({ Records: [job(`refused-${status}`)] }, fakeContext())).toEqual({ batchItemFailures: [] });
      expect(sandbox.counts.transcripts).toBe(before + 1);
    }
    // A transient error still fails the record (SQS redelivers it), and so does a lack of time.
    const before = sandbox.counts.transcripts;
    const late = await h.worker({ Records: [job('late-1'), job('late-2')] }, fakeContext(() => 500));
    // Both handed back as record failures, not as a function error (which would trip the errors alarm).
    expect(late).toEqual({ batchItemFailures: [{ itemIdentifier: 'late-1' }, { itemIdentifier: 'late-2' }] });
    expect(sandbox.counts.transcripts).toBe(before);
  });

  it('the worker fails (retry, then DLQ) a job refused for reasons that are not about the job: 401 after a fresh login, wrong credentials, an unreadable body', async () => {
    const job = (id: string) => ({ messageId: id, body: JSON.stringify({ botUserId: 'webchat-user-1', channelId: 1010, since: new Date(Date.now() - 86_400_000).toISOString(), until: new Date().toISOString() }) }) as SQSEvent['Records'][number];
    // 401, logged in again, 401 again: the credentials no longer work for any job.
    const logins = sandbox.counts.login;
    sandbox.failNext(401, 2);
    await expect(h.worker({ Records: [job('unauthorized')] }, fakeContext())).rejects.toThrow(/answered 401/);
    expect(sandbox.counts.login).toBe(logins + 1);

    // Rotated secret: the token expires and the new login is refused (the sandbox answers 400).
    const secret = process.env.NETCORE_APP_SECRET;
    process.env.NETCORE_APP_SECRET = 'rotated-elsewhere';
    sandbox.expireTokens();
    try {
      await expect(h.worker({ Records: [job('wrong-credentials')] }, fakeContext())).rejects.toThrow(/login/);
    } finally {
      process.env.NETCORE_APP_SECRET = secret;
    }

    // A 200 the hub cannot read (the vendor changed its format): every job would read the same.
    sandbox.failNext(200, 1, { body: { data: { items: [] } } });
    await expect(h.worker({ Records: [job('unreadable')] }, fakeContext())).rejects.toThrow(/unexpected body/);

    // Nothing was lost meanwhile: the same job now goes through.
    expect(await h.worker({ Records: [job('after')] }, fakeContext())).toEqual({ batchItemFailures: [] });
  });

  it('refuses a request without the operator token', async () => {
    expect((await get('/netcore/users', {}, null)).statusCode).toBe(401);
    expect((await get('/netcore/users', {}, 'wrong')).statusCode).toBe(401);
  });

  it('lists users of all channels by last activity, page by page, each once', async () => {
    const seen: UsersBody['items'] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await body<UsersBody>(get('/netcore/users', { limit: '3', ...(cursor ? { cursor } : {}) }));
      expect(r.status).toBe(200);
      seen.push(...r.json.items);
      cursor = r.json.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 50);
    expect(seen).toHaveLength(16);
    expect(new Set(seen.map((u) => `${u.botUserId}#${u.channelId}`)).size).toBe(16);
    const times = seen.map((u) => u.lastInteractedAt);
    expect(times).toEqual([...times].sort());
  });

  it('filters users by channel and time', async () => {
    const all = await body<UsersBody>(get('/netcore/users', { channelId: '1014' }));
    expect(all.json.items.map((u) => u.channelId)).toEqual(['1014', '1014', '1014', '1014']);
    const second = all.json.items[1];
    if (!second) throw new Error('four whatsapp users');
    const after = await body<UsersBody>(get('/netcore/users', { channelId: '1014', after: second.lastInteractedAt }));
    expect(after.json.items.map((u) => u.botUserId)).toEqual(all.json.items.slice(2).map((u) => u.botUserId));
    expect((await get('/netcore/users', { channelId: '42' })).statusCode).toBe(400);
    expect((await get('/netcore/users', { cursor: 'garbage' })).statusCode).toBe(400);
  });

  it('shows one user with details and custom fields; 404 for an unknown one', async () => {
    const r = await body<{ botUserId: string; channels: UsersBody['items'] }>(get(`/netcore/users/${encodeURIComponent('+919876543214')}`));
    expect(r.status).toBe(200);
    expect(r.json.channels).toHaveLength(1);
    expect(r.json.channels[0]).toMatchObject({ channelId: '1014', tags: ['whatsapp'], customFields: { plan: 'basic' } });
    expect((await get('/netcore/users/nobody')).statusCode).toBe(404);
  });

  it('takes the path parameter as API Gateway decoded it: a malformed % is a 404, not a crash', async () => {
    // The gateway could not decode `%E0%A4%A` and passes it raw; decoding it again threw URIError (500).
    const bad = await body<{ type: string; status: number; detail: string }>(get('/netcore/users/%E0%A4%A'));
    expect(bad.status).toBe(404);
    expect(bad.json).toEqual({ type: 'urn:switchboard:problem:not-found', title: 'Not found', status: 404, detail: 'No Netcore user %E0%A4%A has been synced' });
    expect((await get('/netcore/users/%E0%A4%A/transcripts')).statusCode).toBe(200);
    // `%2525` arrives decoded once as `%25`, which is the id asked for; decoding again would ask for `%`.
    const once = await body<{ detail: string }>(get('/netcore/users/100%2525'));
    expect(once.json.detail).toBe('No Netcore user 100%25 has been synced');
  });

  it('answers 400 naming cursor for a cursor whose key does not fit the index or the query', async () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
    const tampered: [string, Record<string, string>][] = [
      ['/netcore/users', { cursor: enc({ '1014': { botUserId: 5, channel: '1014', activityKey: 'x' } }) }],
      ['/netcore/users', { cursor: enc({ '1014': { foo: 'bar' } }) }],
      ['/netcore/users', { channelId: '1014', cursor: enc({ '1014': { botUserId: 'a', channel: '1010', activityKey: 'x' } }) }],
      ['/netcore/users', { channelId: '1014', after: '2030-01-01T00:00:00Z', cursor: enc({ '1014': { botUserId: 'a', channel: '1014', activityKey: '2001-01-01T00:00:00.000Z#a' } }) }],
      ['/netcore/users/webchat-user-1/transcripts', { cursor: enc({ botUserId: 1, sortKey: 2 }) }],
      ['/netcore/users/webchat-user-1/transcripts', { cursor: enc({ sortKey: 'x' }) }],
      ['/netcore/users/webchat-user-1/transcripts', { cursor: enc({ botUserId: 'someone-else', sortKey: 'x' }) }],
      ['/netcore/users/webchat-user-1/transcripts', { channelId: '1010', cursor: enc({ botUserId: 'webchat-user-1', sortKey: 'x' }) }],
      ['/netcore/users/webchat-user-1/transcripts', { after: '2030-01-01T00:00:00Z', cursor: enc({ botUserId: 'webchat-user-1', sortKey: '2001-01-01T00:00:00.000Z#1010#k' }) }],
    ];
    for (const [path, query] of tampered) {
      const r = await body<{ type: string; errors: { name: string; detail: string }[] }>(get(path, query));
      expect({ path, query, status: r.status }).toEqual({ path, query, status: 400 });
      expect(r.json.type).toBe('urn:switchboard:problem:invalid-request');
      expect(r.json.errors.map((e) => e.name)).toEqual(['cursor']);
    }
    // A cursor the API gave out still works.
    const first = await body<TranscriptsBody>(get('/netcore/users/webchat-user-1/transcripts', { channelId: '1010', limit: '5' }));
    const next = await get('/netcore/users/webchat-user-1/transcripts', { channelId: '1010', limit: '5', cursor: first.json.nextCursor ?? '' });
    expect(next.statusCode).toBe(200);
  });

  it('answers 400 naming why for a well-formed cursor of the right list that does not fit this query', async () => {
    // The API's own wire form ([list, position], base64url), so each reaches its list's query checks.
    const enc = (list: string, position: unknown) => Buffer.from(JSON.stringify([list, position]), 'utf8').toString('base64url');
    const misfits: [string, Record<string, string>, RegExp][] = [
      ['/netcore/users', { cursor: enc('netcore-transcripts', { botUserId: 'webchat-user-1', sortKey: 'x' }) }, /another list/],
      ['/netcore/users', { cursor: enc('netcore-users', { '1014': { botUserId: 5, channel: '1014', activityKey: 'x' } }) }, /not a position/],
      ['/netcore/users', { channelId: '1014', cursor: enc('netcore-users', { '1010': null }) }, /channel 1010 is not in this query/],
      ['/netcore/users', { channelId: '1014', cursor: enc('netcore-users', { '1014': { botUserId: 'a', channel: '1010', activityKey: 'x' } }) }, /names channel 1010/],
      ['/netcore/users', { channelId: '1014', after: '2030-01-01T00:00:00Z', cursor: enc('netcore-users', { '1014': { botUserId: 'a', channel: '1014', activityKey: '2001-01-01T00:00:00.000Z#a' } }) }, /before `after`/],
      ['/netcore/users/webchat-user-1/transcripts', { cursor: enc('netcore-transcripts', { botUserId: 'someone-else', sortKey: 'x' }) }, /another user/],
      ['/netcore/users/webchat-user-1/transcripts', { channelId: '1010', cursor: enc('netcore-transcripts', { botUserId: 'webchat-user-1', sortKey: 'x' }) }, /another channel/],
      ['/netcore/users/webchat-user-1/transcripts', { channelId: '1010', cursor: enc('netcore-transcripts', { botUserId: 'webchat-user-1', sortKey: 'x', userChannel: 'webchat-user-1#1014' }) }, /another channel/],
      ['/netcore/users/webchat-user-1/transcripts', { cursor: enc('netcore-transcripts', { botUserId: 'webchat-user-1', sortKey: 'x', userChannel: 'webchat-user-1#1010' }) }, /one channel/],
      ['/netcore/users/webchat-user-1/transcripts', { after: '2030-01-01T00:00:00Z', cursor: enc('netcore-transcripts', { botUserId: 'webchat-user-1', sortKey: '2001-01-01T00:00:00.000Z#1010#k' }) }, /before `after`/],
    ];
    for (const [path, query, why] of misfits) {
      const r = await body<{ errors: { name: string; detail: string }[] }>(get(path, query));
      expect({ path, query, status: r.status }).toEqual({ path, query, status: 400 });
      expect(r.json.errors.map((e) => e.name)).toEqual(['cursor']);
      expect({ path, query, detail: r.json.errors[0]?.detail }).toEqual({ path, query, detail: expect.stringMatching(why) });
    }
    // A cursor given out for every channel goes on with every channel.
    const first = await body<UsersBody>(get('/netcore/users', { limit: '2' }));
    expect(first.json.nextCursor).toEqual(expect.any(String));
    expect((await get('/netcore/users', { limit: '2', cursor: first.json.nextCursor ?? '' })).statusCode).toBe(200);
  });

  it('takes cursor positions up to the DynamoDB limit of their own key: 2048 bytes for a partition key, 1024 for a sort key', async () => {
    // A fuzz run once expected a 400 for a 1,025-byte botUserId; botUserId is the table's partition key,
    // so DynamoDB takes it and the hub must too. One byte past each limit is refused before DynamoDB.
    const enc = (list: string, position: unknown) => Buffer.from(JSON.stringify([list, position]), 'utf8').toString('base64url');
    const users = (botUserId: string, activityKey: string) => get('/netcore/users', { channelId: '1010', cursor: enc('netcore-users', { '1010': { botUserId, channel: '1010', activityKey } }) });
    const transcripts = (sortKey: string) => get('/netcore/users/webchat-user-1/transcripts', { cursor: enc('netcore-transcripts', { botUserId: 'webchat-user-1', sortKey }) });
    const at = '2026-11-21T13:12:02.819Z#';
    expect((await users('a'.repeat(1025), `${at}webchat-user-1`)).statusCode).toBe(200);
    expect((await users('a'.repeat(2048), `${at}webchat-user-1`)).statusCode).toBe(200);
    expect((await users('a'.repeat(2049), `${at}webchat-user-1`)).statusCode).toBe(400);
    expect((await users('webchat-user-1', at + 'a'.repeat(1024 - at.length))).statusCode).toBe(200);
    expect((await users('webchat-user-1', at + 'a'.repeat(1025 - at.length))).statusCode).toBe(400);
    expect((await transcripts(at + 'a'.repeat(1024 - at.length))).statusCode).toBe(200);
    expect((await transcripts(at + 'a'.repeat(1025 - at.length))).statusCode).toBe(400);
  });

  it('gives a user transcripts in time order, every shape, paged by cursor and filtered by time', async () => {
    const items: TranscriptsBody['items'] = [];
    let cursor: string | undefined;
    do {
      const r = await body<TranscriptsBody>(get('/netcore/users/webchat-user-1/transcripts', { channelId: '1010', limit: '7', ...(cursor ? { cursor } : {}) }));
      items.push(...r.json.items);
      cursor = r.json.nextCursor ?? undefined;
    } while (cursor);
    expect(items.map((i) => i.message)).toEqual(sandbox.messages('webchat-user-1', 1010));
    expect(new Set(items.filter((i) => i.shape === 'known').map((i) => i.type)).size).toBe(MESSAGE_TYPES.length);
    const tenth = items[9];
    if (!tenth) throw new Error('30 messages');
    const later = await body<TranscriptsBody>(get('/netcore/users/webchat-user-1/transcripts', { after: tenth.createdAt, limit: '100' }));
    expect(later.json.items).toHaveLength(20);
  });

  it('answers usage for a month, per channel and in total', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const r = await body<{ items: { month: string; channelId: string; totalMessages: number }[]; nextCursor: null }>(get('/netcore/usage', { month }));
    expect(r.json.items.map((i) => i.channelId).sort()).toEqual(['1010', '1014', '1016', '1017', '1021', 'all'].sort());
    expect(r.json.items.every((i) => i.month === month)).toBe(true);
    expect(r.json.nextCursor).toBeNull();
    const one = await body<{ items: { channelId: string; totalMessages: number }[] }>(get('/netcore/usage', { month, channelId: '1021' }));
    expect(one.json.items).toEqual([expect.objectContaining({ channelId: '1021', totalMessages: 0 })]);
    expect((await get('/netcore/usage', { month: '2026-13' })).statusCode).toBe(400);
  });
});
