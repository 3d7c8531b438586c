import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chaosFailures, chaosRun } from '#test/helpers/chaos.ts';
import type { StartedHub } from '#test/helpers/npm-start.ts';
import { visibilityTimeoutSeconds } from '#infra/topology/index.ts';

/**
 * The reduced fault run (`npm run chaos`'s code path): 500 webhooks (Rungopher results and signed
 * Goodays events), each sent 1–3 times with bad requests among them, shuffled, at concurrency 32, with
 * operators replying to Goodays responses (a second operator after a stale event), Netcore polls, a
 * DynamoDB window, Goodays action endpoints that reset or hang, and one SIGKILL of the hub's process group
 * under load with a restart on the same folder, while a subscriber takes the results and threads as signed
 * webhooks. Nothing answered 200 is lost or stored twice, no reply is sent twice, no bad input gets a 5xx,
 * every 5xx to valid input came inside a fault and was resent and stored, and every stored result and
 * every thread's stored version reached the subscriber, verified by `standardwebhooks`, at least once.
 */
const dirs: string[] = [];
// A record that failed once (a DynamoDB window outlasting its retries, a thread write out of tries) or was
// handed back at the end of an invocation's budget comes back after its queue's visibility timeout (six
// times its consumer's timeout, as on AWS). The drain waits out two of the longest, so a record that took a
// second delivery on a loaded machine is counted as stored late, not as lost; an unloaded run drains in seconds.
// (The queues whose records the run counts as stored.)
const DRAIN_MS = 2 * Math.max(visibilityTimeoutSeconds('rungopher-results'), visibilityTimeoutSeconds('goodays-events')) * 1000 + 60_000;

const hubs: StartedHub[] = [];
afterAll(async () => {
  for (const h of hubs) await h.kill('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('the reduced fault run', () => {
  it('loses nothing acknowledged, stores nothing twice and sends no reply twice across its faults', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-chaos-'));
    dirs.push(dataDir);
    const { figures, hub } = await chaosRun(dataDir, { webhooks: 500, kills: 1, outageMs: 1000, sqsOutage: false, storeDeleteCrash: false, actionFaults: 1, replies: 12, idBase: 900_000, drainMs: DRAIN_MS, subscriber: true });
    hubs.push(hub);
    expect(figures.faults.map((f) => f.kind)).toEqual(['DynamoDB unavailable (connections reset)', 'SIGKILL under load', 'Goodays actions reset or hang (1 reset before, 1 after, 1 hang)']);
    expect(figures.sends).toBeGreaterThan(500);
    // First, so a failure says which figure broke (a loss, or a drain limit passed) and shows them all.
    expect({ failures: chaosFailures(figures), figures: { ...figures, badStatuses: undefined } }).toMatchObject({ failures: [] });
    expect(figures.acknowledged).toEqual(figures.webhooks);
    expect(figures.stored).toEqual(figures.webhooks);
    expect(figures.lost).toBe(0);
    expect(figures.storedTwice).toBe(0);
    expect(figures.repliesTwice).toBe(0);
    expect(figures.bad5xx).toBe(0);
    expect(figures.replies.accepted).toBe(12);
    expect(figures.replies.secondOperatorAccepted).toBe(0);
    // Outbound across the kill: at least once, every signature verified by the subscriber's library.
    expect(figures.outbound).toMatchObject({ resultsUndelivered: 0, threadsBehind: 0, badSignatures: 0 });
    expect(figures.outbound?.unique).toBeGreaterThanOrEqual(figures.webhooks.rungopher);
    // The faults did something: the kill found messages in flight, the window reset requests.
    expect(Object.values(figures.faults[1]?.inFlightAtKill ?? {}).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(figures.faults[0]?.requestsHit).toBeGreaterThan(0);
  }, 2 * DRAIN_MS + 240_000);
});
