import { createHash } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeResult } from '#test/rungopher/samples.ts';
import { eventually, operatorGet, operatorRequest, startTestHub } from '#test/helpers/hub.ts';
import { hubClients } from '#test/helpers/aws.ts';
import { Command } from 'commander';
import type { GoodaysSandbox } from '#infra/local/sandboxes/goodays.ts';
import { registerLocalHubCommands } from '#infra/cli/local-hub.ts';
import { addCommonOptions } from '#infra/cli/output.ts';
import { RUNS, expectAnswer, headerText, pathSegment, queryString, requestBody, send } from '#test/helpers/fuzz.ts';

/**
 * The hub's own operator routes through the local runtime: status, quarantine list/get/retry, queue
 * depths and DLQ redrive, poller streams with their audit records.
 */
type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;
let clients: ReturnType<typeof hubClients>;

beforeAll(async () => {
  hub = await startTestHub();
  clients = hubClients(hub);
});
afterAll(async () => {
  await hub?.cleanup();
});

const webhook = (body: string) =>
  fetch(`${hub.url}/webhooks/rungopher/${hub.env.RUNGOPHER_WEBHOOK_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
const idsStored = async () => (await clients.scan('rungopher-results')).map((r) => String(r.id));
const enc = encodeURIComponent;

describe('GET /status', () => {
  it("shows each vendor's last webhook, each schedule's last run and outcome, queues, the quarantine and the streams", async () => {
    const before = await operatorGet(hub, '/status');
    expect(before.status).toBe(200);
    const b = before.body as { webhooks: { vendor: string; lastAcceptedAt: string | null }[]; schedules: { name: string; lastRunAt: string | null }[] };
    expect(b.webhooks.map((w) => w.vendor).sort()).toEqual(['goodays', 'rungopher']);
    expect(b.schedules.map((s) => s.name).sort()).toEqual(['goodays-unprocessed', 'netcore-usage-poller', 'netcore-users-poller', 'rungopher-poller']);

    expect((await webhook(JSON.stringify(makeResult({ id: 81001, contactId: 'status' })))).status).toBe(200);
    const run = await hub.runSchedule('goodays-unprocessed');
    expect(run.ok).toBe(true);
    const after = await eventually(async () => {
      const s = (await operatorGet(hub, '/status')).body as {
        webhooks: { vendor: string; lastAcceptedAt: string | null }[];
        schedules: { name: string; lastRunAt: string | null; outcome: string | null; figures?: Record<string, unknown> }[];
        queues: { name: string; depth: number; dlqDepth: number }[];
        quarantine: { count: number };
      };
      return s.webhooks.find((w) => w.vendor === 'rungopher')?.lastAcceptedAt ? s : undefined;
    });
    expect(Date.now() - Date.parse(after.webhooks.find((w) => w.vendor === 'rungopher')?.lastAcceptedAt ?? '')).toBeLessThan(120_000);
    expect(after.webhooks.find((w) => w.vendor === 'goodays')?.lastAcceptedAt).toBeNull();
    const unprocessed = after.schedules.find((s) => s.name === 'goodays-unprocessed');
    expect(unprocessed).toMatchObject({ outcome: 'ok', figures: { count: expect.any(Number), oldestMinutes: expect.anything() } });
    expect(after.queues.map((q) => q.name).sort()).toEqual(Object.keys(hub.queues).sort());
    expect(typeof after.quarantine.count).toBe('number');
  });

  it('needs the token', async () => {
    expect((await operatorRequest(hub, 'GET', '/status', { token: null })).status).toBe(401);
  });

  it('counts Goodays actions whose outcome is unknown (from the sparse index) until a person resolves them; switchboard status prints them', async () => {
    type Attention = { table: string; reason: string; count: number; oldestAt: string | null };
    const attention = async () => ((await operatorGet(hub, '/status')).body as { attention: Attention[] }).attention;
    const unknownOf = (list: Attention[]) => list.find((a) => a.table === 'goodays-actions' && a.reason === 'outcome-unknown');
    expect(unknownOf(await attention())).toEqual({ table: 'goodays-actions', reason: 'outcome-unknown', description: expect.any(String), count: 0, oldestAt: null });

    // A reply Goodays saved but answered 502 for: its outcome is unknown, and it is never resent.
    const sandbox = hub.sandboxes.goodays as GoodaysSandbox;
    const responseId = sandbox.addResponse({ source: 'email' });
    expect((await sandbox.sendWebhook('response', responseId)).status).toBe(200);
    await eventually(async () => ((await operatorGet(hub, `/goodays/responses/${responseId}`)).status === 200 ? true : undefined));
    sandbox.injectFault({ kind: 'status-after', status: 502, count: 1 });
    const sent = await operatorRequest(hub, 'POST', `/goodays/responses/${responseId}/reply`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: 'We are on it.' }) });
    expect(sent.status).toBe(202);
    const actionId = (sent.body as { actionId: string }).actionId;
    const waiting = await eventually(async () => {
      const a = unknownOf(await attention());
      return a && a.count === 1 ? a : undefined;
    });
    const action = (await operatorGet(hub, `/goodays/actions/${actionId}`)).body as { state: string; updatedAt: string };
    expect(action.state).toBe('unknown');
    expect(waiting.oldestAt).toBe(action.updatedAt);

    // The CLI's status shows it, with what to do.
    const lines: string[] = [];
    const program = new Command().exitOverride();
    registerLocalHubCommands(program, (l) => lines.push(l));
    addCommonOptions(program);
    const token = process.env.HUB_OPERATOR_TOKEN;
    process.env.HUB_OPERATOR_TOKEN = hub.env.HUB_OPERATOR_TOKEN;
    try {
      await program.parseAsync(['node', 'switchboard', 'status', '--hub', hub.url]);
    } finally {
      if (token === undefined) delete process.env.HUB_OPERATOR_TOKEN;
      else process.env.HUB_OPERATOR_TOKEN = token;
    }
    const text = lines.join('\n');
    expect(text).toMatch(new RegExp(`outcome-unknown +goodays-actions +1 +${waiting.oldestAt?.replace(/[.]/g, '[.]') ?? ''}`));
    expect(text).toContain('/resolve');

    // Resolved by a person: it no longer waits.
    const resolved = await operatorRequest(hub, 'POST', `/goodays/actions/${actionId}/resolve`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'sent' }) });
    expect(resolved.status).toBe(200);
    expect(unknownOf(await attention())).toMatchObject({ count: 0, oldestAt: null });
    const item = (await clients.scan('goodays-actions')).find((i) => i.actionId === actionId);
    expect(item).toMatchObject({ state: 'succeeded' });
    expect(item).not.toHaveProperty('attention');
  });
});

describe('the quarantine', () => {
  it('lists a quarantined webhook body, shows it as a JSON string, and a retry quarantines it again (the body is still unreadable)', async () => {
    const body = '{"id": "<script>alert(1)</script>", "not": "a result"';
    const res = await webhook(body);
    const answer = (await res.json()) as { status: string; quarantineId: string };
    expect(answer.status).toBe('quarantined');
    const listed = await operatorGet(hub, '/quarantine?limit=1000');
    expect(listed.status).toBe(200);
    const items = (listed.body as { items: { id: string; retryTo: string | null; truncated: boolean }[] }).items;
    expect(items.find((i) => i.id === answer.quarantineId)).toMatchObject({ retryTo: 'rungopher-results', truncated: false });

    const one = await operatorRequest(hub, 'GET', `/quarantine/${enc(answer.quarantineId)}`);
    expect(one.status).toBe(200);
    expect(one.headers.get('content-type')).toMatch(/^application\/json/);
    expect(one.body).toMatchObject({ id: answer.quarantineId, vendor: 'rungopher', stage: 'webhook', bodyEncoding: 'utf8', body });
    // The body is inside a JSON string: the markup is escaped text, never served as markup.
    expect(one.text).not.toContain('"not": "a result"');

    const retried = await operatorRequest(hub, 'POST', `/quarantine/${enc(answer.quarantineId)}/retry`, { headers: { 'x-operator': 'ann@ops' } });
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: answer.quarantineId, queue: 'rungopher-results', retriedBy: 'ann@ops' });
    // The processor quarantines it again at its own stage; the webhook entry stays, marked retried.
    await eventually(async () => {
      const items2 = (await operatorGet(hub, '/quarantine?limit=1000')).body as { items: { id: string; vendor: string; stage: string; retriedBy?: string }[] };
      const again = items2.items.find((i) => i.stage === 'processor' && i.id.endsWith(answer.quarantineId.split('#')[2] ?? ''));
      return again && items2.items.find((i) => i.id === answer.quarantineId)?.retriedBy === 'ann@ops' ? true : undefined;
    });
  });

  it('retries a body that reads now: it is stored once, and the entry stays marked retried', async () => {
    const body = JSON.stringify(makeResult({ id: 82002, contactId: 'retried' }));
    const id = `rungopher#processor#${createHash('sha256').update(body).digest('hex')}`;
    await clients.dynamo.send(
      new PutCommand({
        TableName: 'switchboard-quarantine',
        Item: { id, vendor: 'rungopher', reason: 'an older processor refused it', body, bodyEncoding: 'utf8', bodyBytes: body.length, bodySha256: id.split('#')[2], truncated: false, receivedAt: new Date().toISOString(), stage: 'processor', retry: { queue: 'rungopher-results', as: 'envelope' } },
      }),
    );
    for (let i = 0; i < 2; i++) expect((await operatorRequest(hub, 'POST', `/quarantine/${enc(id)}/retry`)).status).toBe(202);
    await eventually(async () => ((await idsStored()).includes('82002') ? true : undefined));
    await eventually(async () => ((await hub.queueDepth('rungopher-results')) === 0 ? true : undefined));
    expect((await idsStored()).filter((x) => x === '82002')).toHaveLength(1);
    const entry = await operatorGet(hub, `/quarantine/${enc(id)}`);
    expect(entry.body).toMatchObject({ retriedBy: 'operator', retries: 2 });
  });

  it('refuses to retry a truncated body with 409 saying why, and answers 404 and 400 for unknown and malformed ids', async () => {
    // Over the webhook limit: kept truncated and answered 413.
    const big = JSON.stringify({ ...makeResult({ id: 83003 }), context: 'x'.repeat(300 * 1024) });
    expect((await webhook(big)).status).toBe(413);
    const id = `rungopher#webhook#${createHash('sha256').update(big).digest('hex')}`;
    const r = await operatorRequest(hub, 'POST', `/quarantine/${enc(id)}/retry`);
    expect(r.status).toBe(409);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect((r.body as { detail: string }).detail).toMatch(/first 204800 of the body's \d+ bytes were kept.*vendor must send it again/);
    expect((await operatorRequest(hub, 'GET', `/quarantine/${enc(`rungopher#webhook#${'0'.repeat(64)}`)}`)).status).toBe(404);
    const bad = await operatorRequest(hub, 'GET', '/quarantine/nope');
    expect(bad.status).toBe(400);
    expect((bad.body as { errors: { name: string }[] }).errors).toEqual([expect.objectContaining({ name: 'id' })]);
  });
});

describe('queues and DLQs', () => {
  it('shows each DLQ depth and redrives it through the one route: the parked result is stored once', async () => {
    const q = hub.queues['rungopher-results'];
    const envelope = { vendor: 'rungopher', requestId: 'parked', receivedAt: new Date().toISOString(), body: JSON.stringify(makeResult({ id: 84004, contactId: 'parked' })), source: 'webhook' };
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: q.dlqUrl, MessageBody: JSON.stringify(envelope) }));
    const listed = await operatorGet(hub, '/queues');
    expect(listed.status).toBe(200);
    expect((listed.body as { items: { name: string; dlqDepth: number }[] }).items.find((i) => i.name === 'rungopher-results')?.dlqDepth).toBe(1);
    const moved = await operatorRequest(hub, 'POST', '/queues/rungopher-results/redrive', { headers: { 'x-operator': 'bob' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ queue: 'rungopher-results', state: 'moved', moved: 1, dlqDepth: 1, by: 'bob' });
    await eventually(async () => ((await idsStored()).includes('84004') ? true : undefined));
    expect(await hub.queueDepth('rungopher-results', 'dlq')).toBe(0);
    expect((await operatorRequest(hub, 'POST', '/queues/nope/redrive')).status).toBe(404);
  });
});

describe('poller streams', () => {
  it('lists the streams with their position; reset and backfill move one and keep who, when, from and to', async () => {
    expect((await hub.runSchedule('netcore-users-poller')).ok).toBe(true);
    const listed = await operatorGet(hub, '/streams');
    const streams = (listed.body as { items: { name: string; poller: string; position: string | null }[] }).items;
    const users = streams.find((s) => s.name === 'netcore:users');
    expect(users).toMatchObject({ poller: 'netcore-users-poller', position: expect.any(String) });

    const back = await operatorRequest(hub, 'POST', '/streams/netcore:users/backfill', { headers: { 'x-operator': 'carol', 'content-type': 'application/json' }, body: JSON.stringify({ from: '2026-01-01T00:00:00Z' }) });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ stream: 'netcore:users', who: 'carol', action: 'backfill', from: users?.position, to: '2026-01-01T00:00:00.000Z' });
    // A backfill only goes back; a reset goes anywhere (not into the future).
    const forward = await operatorRequest(hub, 'POST', '/streams/netcore:users/backfill', { body: JSON.stringify({ from: '2026-02-01T00:00:00+01:00' }) });
    expect(forward.status).toBe(409);
    const reset = await operatorRequest(hub, 'POST', '/streams/netcore:users/reset', { body: JSON.stringify({ from: '2026-02-01T00:00:00+01:00' }) });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ who: 'operator', action: 'reset', from: '2026-01-01T00:00:00.000Z', to: '2026-01-31T23:00:00.000Z' });
    const future = await operatorRequest(hub, 'POST', '/streams/netcore:users/reset', { body: JSON.stringify({ from: '2999-01-01T00:00:00Z' }) });
    expect(future.status).toBe(400);

    const one = await operatorGet(hub, '/streams/netcore:users');
    expect(one.body).toMatchObject({ name: 'netcore:users', position: '2026-01-31T23:00:00.000Z', audit: [{ action: 'reset', who: 'operator' }, { action: 'backfill', who: 'carol' }] });
    // The poller reads from the new position on its next run.
    expect((await hub.runSchedule('netcore-users-poller')).ok).toBe(true);
    expect((await operatorRequest(hub, 'GET', '/streams/rungopher:results:nope')).status).toBe(404);
  });
});

describe('the operator routes under arbitrary input', () => {
  it('never answer 5xx, whatever the path, header or body', async () => {
    const auth = { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` };
    const quarantined = ((await operatorGet(hub, '/quarantine?limit=5')).body as { items: { id: string }[] }).items.map((i) => enc(i.id));
    const seg = fc.oneof(pathSegment, fc.constantFrom('netcore:users', 'rungopher-results', ...quarantined));
    await fc.assert(
      fc.asyncProperty(seg, headerText, requestBody, queryString(['limit', 'cursor']), async (segment, operator, body, qs) => {
        const headers: Record<string, string> = { ...auth, ...(operator !== undefined ? { 'x-operator': operator } : {}) };
        const b = body === undefined ? {} : { body };
        for (const [method, path, withBody] of [
          ['GET', `/quarantine?${qs}`, false],
          ['GET', `/quarantine/${segment}`, false],
          ['POST', `/quarantine/${segment}/retry`, false],
          ['POST', `/queues/${segment}/redrive`, false],
          ['GET', `/streams/${segment}`, false],
          ['POST', `/streams/${segment}/reset`, true],
          ['POST', `/streams/${segment}/backfill`, true],
        ] as const) {
          expectAnswer(await send(hub.url, method, path, { headers, ...(withBody ? b : {}) }));
        }
      }),
      { numRuns: RUNS },
    );
  }, 180_000);
});
