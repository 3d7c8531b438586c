import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, operatorGet, startTestHub } from '#test/helpers/hub.ts';
import { newWebhookSecret, startReceiver } from '#test/helpers/receiver.ts';
import { makeResult } from '#test/rungopher/samples.ts';
import type { GoodaysSandbox } from '#infra/local/sandboxes/goodays.ts';
import type { NetcoreSandbox } from '#infra/local/sandboxes/netcore.ts';

/**
 * Outbound end to end on the local runtime: results posted to the Rungopher webhook are stored,
 * published through the router to each subscription's durable queue, and delivered as Standard
 * Webhooks that the `standardwebhooks` library verifies on the receiving side.
 */
const flakySecret = newWebhookSecret();
const strictSecret = newWebhookSecret();
let flaky: Awaited<ReturnType<typeof startReceiver>>;
let strict: Awaited<ReturnType<typeof startReceiver>>;
let strictStatus = 410;
let hub: Awaited<ReturnType<typeof startTestHub>>;

beforeAll(async () => {
  // 500 for the first 15 requests, then 200, with a Retry-After on one of them.
  flaky = await startReceiver(flakySecret, (n) => (n < 15 ? { status: n === 3 ? 503 : 500, ...(n === 3 ? { headers: { 'retry-after': '1' } } : {}) } : { status: 200 }));
  strict = await startReceiver(strictSecret, () => ({ status: strictStatus }));
  hub = await startTestHub({
    env: {
      HUB_SUBSCRIPTIONS: JSON.stringify([
        { id: 'crm', url: flaky.url, secret: flakySecret, events: ['*'] },
        { id: 'strict', url: strict.url, secret: strictSecret, events: ['hub.quarantined'] },
      ]),
      OUTBOUND_RETRY_BASE_SECONDS: '1',
      OUTBOUND_RETRY_CAP_SECONDS: '2',
      RUNGOPHER_SANDBOX_WEBHOOKS: 'off',
    },
  });
}, 60_000);

afterAll(async () => {
  await hub?.cleanup();
  await flaky?.stop();
  await strict?.stop();
});

const post = (body: string) => fetch(`${hub.url}/webhooks/rungopher/${hub.env.RUNGOPHER_WEBHOOK_TOKEN}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

describe('signed webhooks to subscriptions', () => {
  const ids = Array.from({ length: 20 }, (_, i) => String(810_000 + i));

  it('a subscriber answering 500 for a while, then 200, gets every event at least once and each id once after dedupe', async () => {
    for (const id of ids) expect((await post(JSON.stringify(makeResult({ id: Number(id), contactId: `out-${id}` })))).status).toBe(200);
    // Sent again, as Rungopher resends: the same events, with the same ids.
    for (const id of ids.slice(0, 5)) expect((await post(JSON.stringify(makeResult({ id: Number(id), contactId: `out-${id}` })))).status).toBe(200);
    const unique = await eventually(
      async () => {
        const u = flaky.unique();
        const ours = [...u.values()].filter((r) => ids.includes(String(r.data.resultId)));
        const stored = ours.filter((r) => r.type === 'rungopher.result.stored');
        const contacts = ours.filter((r) => r.type === 'rungopher.contact.updated');
        return stored.length === ids.length && contacts.length === ids.length ? u : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(flaky.rejected).toBe(0);
    expect(flaky.answered.slice(0, 15).every((s) => s >= 500)).toBe(true);
    const stored = [...unique.values()].filter((r) => r.type === 'rungopher.result.stored' && ids.includes(String(r.data.resultId)));
    expect(stored.map((r) => r.data.resultId).sort()).toEqual([...ids].sort());
    for (const r of stored) expect(r.data).toMatchObject({ campaignId: '15', contactId: `out-${String(r.data.resultId)}`, resultName: 'accepted', result: { id: r.data.resultId } });
    // Every copy of an id is the same event.
    for (const r of flaky.received) expect(JSON.parse(r.body)).toEqual(JSON.parse(unique.get(r.id)?.body ?? ''));
    expect(Object.keys(JSON.parse(stored[0]?.body ?? '{}') as object).sort()).toEqual(['data', 'timestamp', 'type']);
    const view = await operatorGet(hub, '/subscriptions');
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ items: [{ id: 'crm', state: 'healthy', lastSuccessAt: expect.any(String), lastFailureAt: expect.any(String), dlqDepth: 0 }, { id: 'strict' }], nextCursor: null });
  }, 90_000);

  it('a 4xx other than 408/429 stops at once: the event waits in the DLQ, is shown, and a redrive delivers it', async () => {
    const before = strict.answered.length;
    const unusable = '{"customerNote":"zebra-4471"}';
    expect((await post(unusable)).status).toBe(200);
    await eventually(async () => (strict.answered.length > before ? true : undefined), { timeoutMs: 20_000 });
    const failing = await eventually(async () => {
      const v = (await operatorGet(hub, '/subscriptions?limit=1&cursor=' + encodeURIComponent(String(((await operatorGet(hub, '/subscriptions?limit=1')).body as { nextCursor: string }).nextCursor)))).body as { items: { id: string; dlqDepth: number; state: string; lastFailure: { status: string } | null }[] };
      return v.items[0]?.dlqDepth === 1 ? v.items[0] : undefined;
    });
    expect(failing).toMatchObject({ id: 'strict', state: 'failing', lastFailure: { status: 'rejected: 410' } });
    // One attempt only: no retry of a 410.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(strict.answered.length).toBe(before + 1);

    strictStatus = 200;
    const redrive = await fetch(`${hub.url}/subscriptions/strict/redrive`, { method: 'POST', headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` } });
    expect(redrive.status).toBe(200);
    expect(await redrive.json()).toMatchObject({ id: 'strict', moved: 1, dlqDepth: 0 });
    const got = await eventually(async () => strict.received.find((r) => r.type === 'hub.quarantined'));
    expect(got.data).toMatchObject({ vendor: 'rungopher', stage: 'webhook', quarantineId: expect.stringMatching(/^rungopher#webhook#/), bodyBytes: Buffer.byteLength(unusable) });
    // Never the body: it may hold personal data.
    expect(got.body).not.toContain('zebra-4471');
  }, 60_000);

  it('Goodays thread changes and action outcomes, Netcore users and message batches arrive signed too', async () => {
    const goodays = hub.sandboxes.goodays as GoodaysSandbox;
    expect((await goodays.sendWebhook('response', 'vdOpL1NJ74l')).status).toBe(200);
    const thread = await eventually(async () => [...flaky.unique().values()].find((r) => r.type === 'goodays.thread.updated' && r.data.responseId === 'vdOpL1NJ74l'), { timeoutMs: 60_000 });
    expect(thread.data).toMatchObject({ responseId: 'vdOpL1NJ74l', version: expect.any(Number), awaiting: true, thread: expect.any(Object) });
    const accepted = await fetch(`${hub.url}/goodays/responses/vdOpL1NJ74l/close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'jennifer.parker@cs.example.com' }),
    });
    expect(accepted.status).toBe(202);
    const { actionId } = (await accepted.json()) as { actionId: string };
    const settled = await eventually(async () => [...flaky.unique().values()].find((r) => r.type === 'goodays.action.settled' && r.data.actionId === actionId), { timeoutMs: 60_000 });
    expect(settled.data).toMatchObject({ actionId, responseId: 'vdOpL1NJ74l', outcome: 'sent', action: 'close' });

    expect(await hub.runSchedule('netcore-users-poller')).toMatchObject({ ok: true });
    const batches = await eventually(
      async () => {
        const b = [...flaky.unique().values()].filter((r) => r.type === 'netcore.messages.stored');
        return b.length >= 12 ? b : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const netcore = hub.sandboxes.netcore as NetcoreSandbox;
    const one = batches.find((b) => b.data.botUserId === '+919876543213' && b.data.channelId === 1014);
    expect((one?.data.messages as { message: unknown }[] | undefined)?.map((m) => m.message)).toEqual(netcore.messages('+919876543213', 1014));
    expect([...flaky.unique().values()].filter((r) => r.type === 'netcore.user.updated').length).toBeGreaterThanOrEqual(12);
  }, 120_000);

  it('answers 404 for an unknown subscription and 400 for a bad limit', async () => {
    const missing = await fetch(`${hub.url}/subscriptions/nope/redrive`, { method: 'POST', headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` } });
    expect(missing.status).toBe(404);
    expect((await operatorGet(hub, '/subscriptions?limit=0')).status).toBe(400);
    expect((await operatorGet(hub, '/subscriptions?cursor=abc')).status).toBe(400);
  });
});
