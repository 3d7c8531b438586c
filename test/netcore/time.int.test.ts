import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TranscriptJob } from '#netcore/domain/jobs.ts';
import { startNetcoreSandbox, type NetcoreSandbox } from '#infra/local/sandboxes/netcore.ts';
import { fakeContext, startNetcoreEmulators, type NetcoreEmulators, type NetcoreResources } from './env.ts';

/**
 * The Netcore handlers near the end of their time, with the settings they run with: a 15 s reserve
 * (NETCORE_TIME_RESERVE_MS default) and the client's real 20 s request timeout. With 30 s left, no
 * request can start (it could run past the reserve), so each function must stop as "out of time".
 */

type Sqs = (e: SQSEvent, c: ReturnType<typeof fakeContext>) => Promise<SQSBatchResponse>;
type Scheduled = (e: unknown, c: ReturnType<typeof fakeContext>) => Promise<unknown>;

let emu: NetcoreEmulators;
let res: NetcoreResources;
let sandbox: NetcoreSandbox;
let h: { usage: Scheduled; users: Scheduled; worker: Sqs };

beforeAll(async () => {
  emu = await startNetcoreEmulators();
  res = await emu.provision('time');
  sandbox = await startNetcoreSandbox({ appId: 'app', appSecret: 'secret', seed: { usersPerChannel: 1, messagesPerUser: 60 } });
  Object.assign(process.env, {
    NETCORE_BASE_URL: sandbox.url,
    NETCORE_APP_ID: 'app',
    NETCORE_APP_SECRET: 'secret',
    NETCORE_TRANSCRIPTS_LIMIT: '25',
    NETCORE_TIME_RESERVE_MS: '15000',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  h = {
    usage: (await import('#netcore/handlers/usage-poller.ts')).handler as unknown as Scheduled,
    users: (await import('#netcore/handlers/users-poller.ts')).handler as unknown as Scheduled,
    worker: (await import('#netcore/handlers/transcripts-worker.ts')).handler as unknown as Sqs,
  };
});
afterAll(async () => {
  await sandbox.stop();
  await emu.stop();
});

describe('Netcore handlers with 30 s left (15 s reserve, 20 s request timeout)', () => {
  it('the transcripts worker queues the rest of the window as a continuation job and acknowledges the record', async () => {
    let remaining = 120_000;
    sandbox.beforeResponse = (info) => {
      if (info.kind === 'transcripts') remaining = 30_000; // page 1 is read with time to spare; then 30 s are left
    };
    const until = new Date().toISOString();
    const body = JSON.stringify({ botUserId: 'webchat-user-1', channelId: 1010, until });
    const before = sandbox.counts.transcripts;
    const out = await h.worker({ Records: [{ messageId: 'short-1', body } as SQSEvent['Records'][number]] }, fakeContext(() => remaining));
    sandbox.beforeResponse = undefined;
    expect(out).toEqual({ batchItemFailures: [] });
    expect(sandbox.counts.transcripts - before).toBe(1);
    const queued = await res.receive();
    expect(queued).toHaveLength(1);
    expect(TranscriptJob.parse(JSON.parse(queued[0]?.body ?? '{}'))).toMatchObject({ botUserId: 'webchat-user-1', channelId: 1010, until, page: 2, since: expect.any(String) });
    for (const r of queued) await res.delete(r);
  });

  it('the users poller ends with outcome "time", starting no request', async () => {
    const before = { ...sandbox.counts };
    const out = await h.users({}, fakeContext(() => 30_000));
    expect(out).toMatchObject({ outcome: 'time', pages: 0, users: 0 });
    expect(sandbox.counts).toEqual(before);
  });

  it('the usage poller stops cleanly (stoppedEarly), starting no request', async () => {
    const before = { ...sandbox.counts };
    const out = await h.usage({}, fakeContext(() => 30_000));
    expect(out).toMatchObject({ stored: 0, stoppedEarly: true });
    expect(sandbox.counts).toEqual(before);
  });
});
