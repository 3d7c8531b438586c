import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StartedHub } from '#test/helpers/npm-start.ts';
import { spawnHub } from '#test/helpers/npm-start.ts';
import { newWebhookSecret, startReceiver } from '#test/helpers/receiver.ts';
import { makeResult } from '#test/rungopher/samples.ts';

/**
 * Outbound across a crash: `npm start` with HUB_SUBSCRIPTIONS pointing at a receiver that verifies
 * every delivery with `standardwebhooks`, SIGKILLed (whole process group) while results are being
 * answered, stored, published and delivered, then started again on the same data folder: every
 * result answered 200 arrives as a signed `rungopher.result.stored`, each id once after dedupe.
 */
const dirs: string[] = [];
const hubs: StartedHub[] = [];
const receivers: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  for (const h of hubs) await h.kill('SIGKILL');
  for (const r of receivers) await r.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('outbound across a SIGKILL of npm start', () => {
  it('delivers every acknowledged result, signed, at least once and each id once after dedupe', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-outbound-kill-'));
    dirs.push(dataDir);
    const secret = newWebhookSecret();
    // The subscriber fails its first 40 requests, so deliveries are queued and retried when the kill comes.
    const receiver = await startReceiver(secret, (n) => ({ status: n < 40 ? 500 : 200 }));
    receivers.push(receiver);
    const env = {
      HUB_SUBSCRIPTIONS: JSON.stringify([{ id: 'warehouse', url: receiver.url, secret, events: ['rungopher.result.stored'] }]),
      OUTBOUND_RETRY_BASE_SECONDS: '1',
      OUTBOUND_RETRY_CAP_SECONDS: '2',
      RUNGOPHER_SANDBOX_WEBHOOKS: 'off',
    };
    let hub = await spawnHub(dataDir, { env });
    hubs.push(hub);
    const n = 120;
    const acknowledged = new Set<string>();
    let next = 0;
    let killed = false;
    const send = async (): Promise<void> => {
      while (!killed && next < n) {
        const id = 930_000 + next++;
        try {
          const res = await fetch(`${hub.url}/webhooks/rungopher/${hub.webhookToken}`, { method: 'POST', body: JSON.stringify(makeResult({ id, contactId: `kill-${id % 13}` })), headers: { 'content-type': 'application/json' } });
          if (res.status === 200 && !killed) acknowledged.add(String(id));
          await res.arrayBuffer();
        } catch {
          // Cut off by the kill: not acknowledged, Rungopher would resend it.
        }
      }
    };
    const senders = Array.from({ length: 8 }, () => send());
    const until = Date.now() + 60_000;
    while (acknowledged.size < 60 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    killed = true;
    await hub.kill('SIGKILL');
    await Promise.allSettled(senders);
    const ackAtKill = new Set(acknowledged);
    expect(ackAtKill.size).toBeGreaterThanOrEqual(60);

    hub = await spawnHub(dataDir, { env });
    hubs.push(hub);
    const deadline = Date.now() + 120_000;
    let delivered = new Set<string>();
    while (Date.now() < deadline) {
      delivered = new Set([...receiver.unique().values()].map((r) => String(r.data.resultId)));
      if ([...ackAtKill].every((id) => delivered.has(id))) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect([...ackAtKill].filter((id) => !delivered.has(id))).toEqual([]);
    expect(receiver.rejected).toBe(0);
    // Each webhook-id is one result: copies (redeliveries after the kill) are the same event.
    const byId = receiver.unique();
    for (const r of receiver.received) expect(r.data).toEqual(byId.get(r.id)?.data);
    expect(new Set([...byId.values()].map((r) => r.data.resultId)).size).toBe(byId.size);
  }, 240_000);
});
