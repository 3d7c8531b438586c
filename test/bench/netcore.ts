import { pathToFileURL } from 'node:url';
import type { TranscriptJobInput } from '#netcore/domain/jobs.ts';
import { TranscriptJob } from '#netcore/domain/jobs.ts';
import { MESSAGE_TYPES } from '#netcore/domain/messages.ts';
import { NetcoreClient } from '#netcore/adapters/client.ts';
import type { FetchLike } from '#platform/vendor-http.ts';
import { startNetcoreSandbox, type NetcoreSandbox } from '#infra/local/sandboxes/netcore.ts';
import { sampleMessage } from '#infra/local/sandboxes/netcore-samples.ts';
import { startNetcoreEmulators } from '#test/netcore/env.ts';
import type { USER_CHANNEL_IDS } from '#netcore/domain/channels.ts';

/**
 * Vendor API calls per 10,000 transcripts synced, against the floor: logins + user pages +
 * ceil(messages / 1000) per user and channel. 37 users on the four user channels hold 10,000
 * messages (4 x 1200, 8 x 400, 25 x 80); tokens live 2 s so some expire mid-run. The sync runs through
 * the real use cases, dynalite and fauxqs; calls are counted on the wire.
 *
 * Run alone: `npx tsx test/bench/netcore.ts`.
 */
export async function benchNetcore(): Promise<Record<string, number | string>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const emu = await startNetcoreEmulators();
  const { syncNetcoreUsers } = await import('#netcore/use-cases/sync-users.ts');
  const { syncNetcoreTranscripts } = await import('#netcore/use-cases/sync-transcripts.ts');
  const { dynamoNetcoreStore, sqsTranscriptJobQueue } = await import('#netcore/adapters/store.ts');
  const { dynamoCursorStore } = await import('#platform/cursor-store.ts');
  const { dynamoQuarantine } = await import('#platform/quarantine.ts');
  const out: Record<string, number | string> = {};
  const plan: { count: number; messages: number }[] = [
    { count: 4, messages: 1200 },
    { count: 8, messages: 400 },
    { count: 25, messages: 80 },
  ];
  const channels: (typeof USER_CHANNEL_IDS)[number][] = [1010, 1014, 1016, 1017];
  try {
    for (const details of [false, true]) {
      const sandbox: NetcoreSandbox = await startNetcoreSandbox({ seed: false, tokenTtlMs: 2_000 });
      let totalMessages = 0;
      let floorTranscriptCalls = 0;
      let u = 0;
      const now = Date.now();
      for (const p of plan) {
        for (let i = 0; i < p.count; i++, u++) {
          const channelId = channels[u % channels.length] ?? 1010;
          const userId = `bench-${u}`;
          sandbox.addUser({ userId, channelId, lastInteracted: new Date(now - 60_000).toISOString() });
          for (let m = 0; m < p.messages; m++) {
            sandbox.addMessage(userId, channelId, sampleMessage(MESSAGE_TYPES[m % MESSAGE_TYPES.length] ?? 'text', new Date(now - 7 * 86_400_000 + m * 1000).toISOString(), m % 2 ? 'Bot' : 'User', `#${m}`));
          }
          totalMessages += p.messages;
          floorTranscriptCalls += Math.ceil(p.messages / 1000);
        }
      }
      const res = await emu.provision(`bench${details ? 'd' : 'n'}`);
      let wire = 0;
      const counting: FetchLike = (url, init) => {
        wire++;
        return fetch(url, init);
      };
      // The client's own renewal margin (60 s, or a tenth of a shorter token's life): with 2 s tokens a
      // run of several seconds logs in about once per 1.8 s of run.
      const api = new NetcoreClient({ baseUrl: sandbox.url, credentials: async () => ({ appId: 'a', appSecret: 's' }), fetchImpl: counting });
      const store = dynamoNetcoreStore(res.tables);
      const jobs = sqsTranscriptJobQueue(res.queueUrl);
      const budget = { remainingMs: () => 600_000, reserveMs: 1_000, requestMs: api.requestTimeoutMs };
      const started = Date.now();
      // Events are counted, not sent: the bench measures vendor calls.
      const outbound = { publish: async () => undefined };
      const pollUsers = () =>
        syncNetcoreUsers({
          api,
          store,
          cursors: dynamoCursorStore(res.tables.cursors),
          jobs,
          outbound,
          settings: { channels, limit: 1000, lookbackMs: 900_000, initialLookbackMs: 90 * 86_400_000, fetchDetails: details, concurrency: 8 },
          now: () => new Date(),
          budget,
        });
      const users = await pollUsers();
      let stored = 0;
      for (;;) {
        const records = await res.receive();
        if (records.length === 0) break;
        await Promise.all(
          records.map(async (r) => {
            const job = TranscriptJob.parse(JSON.parse(r.body) as TranscriptJobInput);
            const result = await syncNetcoreTranscripts(job, {
              api,
              store,
              jobs,
              outbound,
              settings: { limit: 1000, lookbackMs: 900_000, windowMarginMs: 3_600_000, concurrency: 25 },
              now: () => new Date(),
              budget,
              quarantine: dynamoQuarantine(res.tables.quarantine),
            });
            stored += result.stored;
            await res.delete(r);
          }),
        );
      }
      const ms = Date.now() - started;
      // Logins are counted as made: with 2 s tokens a run needs several, and each is unavoidable.
      const floor = sandbox.counts.login + Math.max(1, Math.ceil(users.users / 1000)) + floorTranscriptCalls;
      const per10k = (n: number) => Math.round((n * 10_000 * 100) / stored) / 100;
      const tag = details ? 'withDetails' : 'transcriptsOnly';
      Object.assign(out, {
        [`${tag}.transcriptsStored`]: stored,
        [`${tag}.vendorCalls`]: wire,
        [`${tag}.logins`]: sandbox.counts.login,
        [`${tag}.userPages`]: sandbox.counts.users,
        [`${tag}.userDetailCalls`]: sandbox.counts.user,
        [`${tag}.transcriptCalls`]: sandbox.counts.transcripts,
        [`${tag}.vendorCallsPer10kTranscripts`]: per10k(wire),
        [`${tag}.floorPer10kTranscripts`]: per10k(floor),
        [`${tag}.floorWithOneLoginPer10k`]: per10k(floor - sandbox.counts.login + 1),
        [`${tag}.overFloorPer10k`]: per10k(wire - floor),
        [`${tag}.syncMs`]: ms,
        [`${tag}.loginFloor`]: Math.ceil(ms / 2_000),
      });
      if (stored !== totalMessages) out[`${tag}.error`] = `stored ${stored} of ${totalMessages}`;

      // A second pass with no new activity: the cost of polling an idle bot.
      const before = wire;
      await pollUsers();
      out[`${tag}.idlePollVendorCalls`] = wire - before;
      await sandbox.stop();
    }
  } finally {
    await emu.stop();
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await benchNetcore();
  for (const [k, v] of Object.entries(figures)) console.log(`netcore ${k}: ${v}`);
}
