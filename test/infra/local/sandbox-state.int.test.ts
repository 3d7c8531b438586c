import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GoodaysSandbox } from '#infra/local/sandboxes/goodays.ts';
import type { NetcoreSandbox } from '#infra/local/sandboxes/netcore.ts';
import { startTestHub } from '#test/helpers/hub.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-sandbox-state-'));
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

const json = async (res: Response): Promise<Record<string, unknown>> => (await res.json()) as Record<string, unknown>;

describe('vendor sandboxes across a hub restart on the same data folder', () => {
  it('keep Rungopher campaigns and contacts, the Goodays threads and outbox, and Netcore users and transcripts', async () => {
    const first = await startTestHub({ dataDir });
    let campaignId: number;
    const goodaysAuth = first.env.GOODAYS_API_TOKEN || 'Token sandbox';
    let seeded: unknown;
    try {
      // Rungopher: a campaign created and started with one contact through the sandbox's API.
      const rg = first.sandboxes.rungopher?.url ?? '';
      const headers = { apikey: first.env.RUNGOPHER_API_KEY ?? '', 'content-type': 'application/json' };
      const created = await json(await fetch(`${rg}/campaign`, { method: 'POST', headers, body: JSON.stringify({ name: 'AcceptDecline', title: 'Kept across restarts', transitionEmail: 'ops@example.com' }) }));
      campaignId = Number(created.id);
      expect(campaignId).toBeGreaterThan(16);
      const contact = { contactId: 'c1', firstName: 'Ada', lastName: 'Lovelace', mobile: '+61400000001' };
      const up = await json(await fetch(`${rg}/campaign/${campaignId}/contact`, { method: 'POST', headers, body: JSON.stringify({ mode: 'live', contacts: [contact] }) }));
      expect(up.started).toBe(1);

      // Goodays: a response the hub's agent replied to (one outbox entry).
      const gd = first.sandboxes.goodays as GoodaysSandbox;
      const rid = gd.addResponse({ id: 'KeptThread1' });
      const reply = await fetch(`${gd.url}/responses/${rid}/reply`, { method: 'PUT', headers: { authorization: goodaysAuth, 'content-type': 'application/json' }, body: JSON.stringify({ content: 'Thanks, on it' }) });
      expect(reply.status).toBe(200);
      expect(gd.outbox()).toHaveLength(1);

      // Netcore: a user given to the sandbox, with a transcript item; and what it seeded.
      const nc = first.sandboxes.netcore as NetcoreSandbox;
      nc.addUser({ userId: 'kept-user', channelId: 1014 });
      nc.addMessage('kept-user', 1014, { createdAt: '2026-11-30T10:00:00.000Z', type: 'text', text: 'kept' });
      seeded = [...nc.users.values()].filter((u) => u.userId !== 'kept-user');
    } finally {
      await first.stop();
    }
    for (const f of ['rungopher.json', 'goodays.jsonl', 'netcore.json']) expect(existsSync(join(dataDir, 'sandboxes', f))).toBe(true);

    const second = await startTestHub({ dataDir });
    try {
      const rg = second.sandboxes.rungopher?.url ?? '';
      const headers = { apikey: second.env.RUNGOPHER_API_KEY ?? '', 'content-type': 'application/json' };
      const got = await fetch(`${rg}/campaign/${campaignId}`, { headers });
      expect(got.status).toBe(200);
      expect(await json(got)).toMatchObject({ id: campaignId, title: 'Kept across restarts', state: 'running' });
      // The contact uploaded before the restart is still in the campaign; a new upload to it works.
      const again = await json(
        await fetch(`${rg}/campaign/${campaignId}/contact`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ mode: 'live', contacts: [{ contactId: 'c1', firstName: 'Ada', lastName: 'Lovelace', mobile: '+61400000001' }, { contactId: 'c2', firstName: 'Alan', lastName: 'Turing', mobile: '+61400000002' }] }),
        }),
      );
      expect(again).toEqual({ started: 1, warnings: ['Mobile number +61400000001 already exists in this campaign, skipped'] });
      // A new campaign does not reuse the kept one's id.
      const next = await json(await fetch(`${rg}/campaign`, { method: 'POST', headers, body: JSON.stringify({ name: 'AcceptDecline', title: 'Next', transitionEmail: 'ops@example.com' }) }));
      expect(next.id).toBe(campaignId + 1);

      const gd = second.sandboxes.goodays as GoodaysSandbox;
      expect(gd.outbox()).toEqual([expect.objectContaining({ responseId: 'KeptThread1', action: 'reply', content: 'Thanks, on it' })]);
      // The thread remembers its reply: Goodays' own rule refuses a second one.
      const second_reply = await fetch(`${gd.url}/responses/KeptThread1/reply`, { method: 'PUT', headers: { authorization: goodaysAuth, 'content-type': 'application/json' }, body: JSON.stringify({ content: 'Again' }) });
      expect(second_reply.status).toBe(400);
      // The sandbox's own record of the action requests it received spans the restart.
      expect(gd.received().filter((r) => r.responseId === 'KeptThread1').map((r) => [r.method, r.action])).toEqual([
        ['PUT', 'reply'],
        ['PUT', 'reply'],
      ]);
      expect(JSON.parse(gd.eventBody('response', 'KeptThread1'))).toMatchObject({ response: { id: 'KeptThread1' } });

      const nc = second.sandboxes.netcore as NetcoreSandbox;
      expect(nc.users.get('kept-user#1014')).toMatchObject({ userId: 'kept-user', channelId: 1014 });
      expect(nc.messages('kept-user', 1014)).toEqual([{ createdAt: '2026-11-30T10:00:00.000Z', type: 'text', text: 'kept' }]);
      // The seed is made once per data folder, not again (with new times) at each start.
      expect([...nc.users.values()].filter((u) => u.userId !== 'kept-user')).toEqual(seeded);
    } finally {
      await second.stop();
    }
  });

  it('a hub without a kept state starts the sandboxes fresh', async () => {
    const hub = await startTestHub();
    try {
      const res = await fetch(`${hub.sandboxes.rungopher?.url ?? ''}/campaign/17`, { headers: { apikey: hub.env.RUNGOPHER_API_KEY ?? '' } });
      expect(res.status).toBe(404);
    } finally {
      await hub.cleanup();
    }
  });
});
