import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoodaysSandbox } from '#infra/local/sandboxes/goodays.ts';
import { eventually, operatorGet, startTestHub } from '#test/helpers/hub.ts';

type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;
let sandbox: GoodaysSandbox;

beforeAll(async () => {
  hub = await startTestHub();
  const sb = hub.sandboxes.goodays;
  if (!sb) throw new Error('the local runtime did not start the Goodays sandbox');
  // The registry types sandboxes as the common interface; this one is the Goodays sandbox.
  sandbox = sb as GoodaysSandbox;
});
afterAll(async () => {
  await hub?.cleanup();
});

const operatorPost = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${hub.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('Goodays end to end on the local runtime', () => {
  it('generates an HMAC secret, receives a signed webhook, and answers a reply exactly once', async () => {
    expect(hub.env.GOODAYS_HMAC_SECRETS).toBeTruthy();
    expect(hub.env.GOODAYS_BASE_URL).toBe(sandbox.url);

    const unsigned = await fetch(`${hub.url}/webhooks/goodays`, { method: 'POST', body: sandbox.eventBody('response', 'vdOpL1NJ74l') });
    expect(unsigned.status).toBe(401);

    expect((await sandbox.sendWebhook('response', 'vdOpL1NJ74l')).status).toBe(200);
    const thread = await eventually(async () => {
      const r = await operatorGet(hub, '/goodays/responses/vdOpL1NJ74l');
      return r.status === 200 ? (r.body as { allowedActions: string[]; awaiting: boolean }) : undefined;
    });
    expect(thread.allowedActions).toEqual(['reply', 'call', 'close', 'spam']);
    expect(thread.awaiting).toBe(true);

    const body = { content: 'Dear Customer, thank you for your feedback.', user: 'jennifer.parker@cs.example.com' };
    const accepted = await operatorPost('/goodays/responses/vdOpL1NJ74l/reply', body, { 'idempotency-key': 'e2e-reply-1' });
    expect(accepted.status).toBe(202);
    const again = await operatorPost('/goodays/responses/vdOpL1NJ74l/reply', body, { 'idempotency-key': 'e2e-reply-1' });
    expect(again.body.actionId).toBe(accepted.body.actionId);

    const done = await eventually(async () => {
      const r = await operatorGet(hub, `/goodays/actions/${String(accepted.body.actionId)}`);
      const state = (r.body as { state?: string }).state;
      return state === 'succeeded' || state === 'failed' || state === 'unknown' ? r.body : undefined;
    });
    // With its error, so a failure shows why.
    const { state, error } = done as { state: string; error?: string };
    expect({ state, error }).toEqual({ state: 'succeeded', error: undefined });
    expect(sandbox.outbox()).toEqual([expect.objectContaining({ responseId: 'vdOpL1NJ74l', action: 'reply', content: body.content, user: '1a2b3c4' })]);

    const after = await operatorGet(hub, '/goodays/responses/vdOpL1NJ74l');
    expect(after.body).toMatchObject({ allowedActions: [], awaiting: false });
  });

  it('runs the unprocessed-responses schedule', async () => {
    const outcome = await hub.runSchedule('goodays-unprocessed');
    expect(outcome.ok).toBe(true);
    expect(outcome.result).toEqual({ count: 0, oldestMinutes: 0 });
  });
});
