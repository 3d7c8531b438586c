import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerNetcoreCommands } from '#infra/cli/netcore.ts';
import { sampleMessage } from '#infra/local/sandboxes/netcore-samples.ts';
import type { NetcoreSandbox } from '#infra/local/sandboxes/netcore.ts';
import { eventually, operatorGet, startTestHub } from '#test/helpers/hub.ts';
import { hubClients } from '#test/helpers/aws.ts';

type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;
let clients: ReturnType<typeof hubClients>;

beforeAll(async () => {
  hub = await startTestHub({ env: { NETCORE_SANDBOX_USERS_PER_CHANNEL: '3', NETCORE_SANDBOX_MESSAGES_PER_USER: '24', NETCORE_USERS_LIMIT: '25' } });
  clients = hubClients(hub);
});
afterAll(async () => {
  await hub?.cleanup();
});

describe('Netcore, end to end on the local runtime', () => {
  it('starts the sandbox when NETCORE_BASE_URL is unset and syncs usage, users and transcripts through the queue', async () => {
    const sandbox = hub.sandboxes.netcore as NetcoreSandbox | undefined;
    expect(sandbox?.url).toBe(hub.env.NETCORE_BASE_URL);
    if (!sandbox) return;

    expect(await hub.runSchedule('netcore-usage-poller')).toMatchObject({ ok: true });
    expect(await hub.runSchedule('netcore-users-poller')).toMatchObject({ ok: true });
    await eventually(async () => ((await clients.scan('netcore-transcripts')).length === 12 * 24 && (await hub.queueDepth('netcore-transcripts')) === 0) || undefined, {
      timeoutMs: 20_000,
    });
    expect(await hub.queueDepth('netcore-transcripts', 'dlq')).toBe(0);

    const users = await operatorGet(hub, '/netcore/users?limit=100');
    expect(users.status).toBe(200);
    expect((users.body as { items: unknown[] }).items).toHaveLength(12);

    const transcripts = await operatorGet(hub, `/netcore/users/${encodeURIComponent('+919876543213')}/transcripts?channelId=1014&limit=100`);
    expect(transcripts.status).toBe(200);
    expect((transcripts.body as { items: { message: unknown }[] }).items.map((i) => i.message)).toEqual(sandbox.messages('+919876543213', 1014));

    const month = new Date().toISOString().slice(0, 7);
    const usage = await operatorGet(hub, `/netcore/usage?month=${month}&channelId=all`);
    expect((usage.body as { items: { totalMessages: number }[] }).items).toEqual([expect.objectContaining({ totalMessages: expect.any(Number) })]);

    // A second poll finds no new activity and queues nothing.
    const before = sandbox.counts.transcripts;
    expect(await hub.runSchedule('netcore-users-poller')).toMatchObject({ ok: true });
    expect(await hub.queueDepth('netcore-transcripts')).toBe(0);
    expect(sandbox.counts.transcripts).toBe(before);
  });

  it('the CLI syncs new activity now, waits for the queue, and reads it back', async () => {
    const sandbox = hub.sandboxes.netcore as NetcoreSandbox | undefined;
    if (!sandbox) throw new Error('sandbox started');
    const lines: string[] = [];
    const cli = () => {
      const program = new Command().exitOverride();
      registerNetcoreCommands(program, { hubUrl: () => hub.url, operatorToken: () => hub.env.HUB_OPERATOR_TOKEN ?? '', print: (l) => lines.push(l) });
      return program;
    };
    sandbox.addUser({ userId: 'cli-user', channelId: 1016, lastInteracted: new Date().toISOString() });
    for (let i = 0; i < 5; i++) sandbox.addMessage('cli-user', 1016, sampleMessage('text', new Date(Date.now() - 60_000 + i).toISOString(), 'User', `cli ${i}`));

    await cli().parseAsync(['node', 'switchboard', 'netcore', 'sync-now', '--no-usage', '--wait', '--timeout', '20']);
    expect(lines.some((l) => l.startsWith('netcore-users-poller: ') && l.includes('"ok":true'))).toBe(true);
    expect(lines.at(-1)).toBe('netcore-transcripts: drained');

    lines.length = 0;
    await cli().parseAsync(['node', 'switchboard', 'netcore', 'transcripts', 'cli-user', '--all', '--json']);
    const items = JSON.parse(lines.join('\n')) as { message: unknown }[];
    expect(items.map((i) => i.message)).toEqual(sandbox.messages('cli-user', 1016));

    lines.length = 0;
    await cli().parseAsync(['node', 'switchboard', 'netcore', 'check']);
    expect(lines[0]).toMatch(/^login ok; usage \d{4}-\d{2}: \d+ messages/);

    await expect(cli().parseAsync(['node', 'switchboard', 'netcore', 'user', 'nobody'])).rejects.toThrow(/404/);
  });
});
