/**
 * Keeping up locally (`npm run bench -- drain`): `npm start`'s hub in a process of its own, offered
 * Rungopher webhooks at a fixed rate (open loop: each request leaves at its planned time whether or not
 * earlier ones were answered) for a fixed time. While it runs only the results queue's depth is watched;
 * once the queue is empty each answered result's row is read once, and its `storedAt` (stamped by the
 * processor just before its conditional put, on the same clock) is when it was stored.
 * Prints: acknowledgement p50/p99, stored per second against offered, webhook sent -> stored
 * p50/p99/max, the deepest backlog of the results queue, the drain after the last request, and the hub's
 * CPU per stored result by thread (Linux `/proc`), with the rate that CPU allows on this machine.
 * Figures only; nothing here passes or fails. Bounded: DRAIN_RATE x DRAIN_SECONDS requests, then at
 * most DRAIN_WAIT_SECONDS for the backlog.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localName } from '#infra/local/emulators.ts';
import { spawnHub } from '#test/helpers/npm-start.ts';
import { makeResult } from '#test/rungopher/samples.ts';
import { DRAIN_FIRST_ID as FIRST_ID, drainBody } from '#test/helpers/drain-mix.ts';
import { cpuSpent, THREAD_LABELS, threadCpu } from '#test/helpers/thread-cpu.ts';

const RATE = Number(process.env.DRAIN_RATE ?? 200);
const SECONDS = Number(process.env.DRAIN_SECONDS ?? 30);
const WAIT_SECONDS = Number(process.env.DRAIN_WAIT_SECONDS ?? 120);
/** Contacts the results are spread over (one campaign), so the contact view sees repeats as in a campaign. */
const CONTACTS = Number(process.env.DRAIN_CONTACTS ?? 1000);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/** Reads the rows of `pending` (100 keys a request), calling `found` with each one's `storedAt` and taking it out; again every second until none is left or `until`. The latest `storedAt`. */
async function sweep(dynamo: DynamoDBDocumentClient, table: string, pending: Set<number>, found: (i: number, storedAt: number) => void, until: number): Promise<number> {
  let latest = 0;
  for (;;) {
    const ids = [...pending];
    for (let k = 0; k < ids.length; k += 100) {
      const keys = ids.slice(k, k + 100).map((i) => ({ id: String(FIRST_ID + i) }));
      const out = await dynamo.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ProjectionExpression: 'id, storedAt' } } }));
      for (const item of out.Responses?.[table] ?? []) {
        const i = Number(item.id) - FIRST_ID;
        const at = Date.parse(String(item.storedAt));
        if (!pending.delete(i) || !Number.isFinite(at)) continue;
        latest = Math.max(latest, at);
        found(i, at);
      }
    }
    if (!pending.size || performance.now() > until) return latest;
    await sleep(1000);
  }
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-drain-'));
  // DRAIN_HUB_NODE_OPTIONS (for example `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the hub's process.
  const hub = await spawnHub(dataDir, { timeoutMs: 120_000, env: process.env.DRAIN_HUB_NODE_OPTIONS ? { NODE_OPTIONS: process.env.DRAIN_HUB_NODE_OPTIONS } : {} });
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ ...local, endpoint: `http://127.0.0.1:${hub.dynamoPort}` }));
  const sqs = new SQSClient({ ...local, endpoint: `http://127.0.0.1:${hub.sqsPort}`, useQueueUrlAsEndpoint: false });
  const table = localName('rungopher-results');
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: localName('rungopher-results') }));
  const url = `${hub.url}/webhooks/rungopher/${hub.webhookToken}`;
  const total = RATE * SECONDS;
  const sentAt = new Float64Array(total);
  const ackMs: number[] = [];
  const storedMs: number[] = [];
  const pending = new Set<number>();
  let failures = 0;
  let deepest = 0;
  let storedInWindow = 0;
  try {
    // Warm the path (module load, connections) outside the figures.
    for (let i = 0; i < 20; i++) await fetch(url, { method: 'POST', body: JSON.stringify(makeResult({ id: FIRST_ID - 1 - i })) }).then((r) => r.arrayBuffer());
    const group = hub.child.pid ?? 0;
    const cpuBefore = await threadCpu({ group });
    const start = performance.now();
    let done = false;
    // Only the queue's depth is watched while the run lasts (one cheap request every 500 ms): reading
    // the table for thousands of pending ids every 100 ms would load dynalite as much as the hub does.
    let emptySince: number | undefined;
    const depth = (async () => {
      for (;;) {
        const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
        const now = Number(a.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
        deepest = Math.max(deepest, now);
        if (done && now === 0) {
          emptySince = performance.now();
          return;
        }
        if (performance.now() - start > (SECONDS + WAIT_SECONDS) * 1000) return;
        await sleep(500);
      }
    })();
    const requests: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const planned = start + (i * 1000) / RATE;
      const wait = planned - performance.now();
      if (wait > 1) await sleep(wait);
      sentAt[i] = performance.timeOrigin + performance.now();
      requests.push(
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: drainBody(i, CONTACTS) })
          .then(async (res) => {
            await res.arrayBuffer();
            ackMs.push(performance.timeOrigin + performance.now() - (sentAt[i] ?? 0));
            if (res.status === 200) pending.add(i);
            else failures++;
          })
          .catch(() => void failures++),
      );
    }
    const offeredSeconds = (performance.now() - start) / 1000;
    const offeredUntil = performance.timeOrigin + performance.now();
    await Promise.all(requests);
    done = true;
    const lastAnswer = performance.timeOrigin + performance.now();
    await depth;
    const cpuAfter = await threadCpu({ group });
    const elapsed = ((emptySince ?? performance.now()) - start) / 1000;
    // Then each answered result's row, read once: stored when its `storedAt` says (stamped by the
    // processor just before its conditional put). Rows not there yet are read again, for at most the wait.
    const lastStored = await sweep(dynamo, table, pending, (i, storedAt) => {
      storedMs.push(storedAt - (sentAt[i] ?? storedAt));
      if (storedAt <= offeredUntil) storedInWindow++;
    }, start + (SECONDS + WAIT_SECONDS) * 1000);
    const drained = pending.size === 0;
    // None when the last result was stored before the last answer reached the caller (printed as 0.0, not -0.0).
    const drainSeconds = Math.max(0, (lastStored - lastAnswer) / 1000);
    ackMs.sort((a, b) => a - b);
    storedMs.sort((a, b) => a - b);
    const stored = storedMs.length;
    console.log(`\n## Fixed-rate drain, \`npm start\` hub in its own process (${RATE} webhooks/s offered for ${SECONDS} s, ${CONTACTS} contacts, load average ${loadavg().map((l) => l.toFixed(1)).join(', ')} on 2 cores)`);
    console.log('figure | value');
    console.log('---|---');
    console.log(`offered | ${total} webhooks in ${offeredSeconds.toFixed(1)} s (${(total / offeredSeconds).toFixed(0)}/s)`);
    console.log(`answered 200 / not 200 | ${total - failures} / ${failures}`);
    console.log(`acknowledgement p50 / p99 | ${pct(ackMs, 50).toFixed(1)} ms / ${pct(ackMs, 99).toFixed(1)} ms`);
    console.log(`stored while offering | ${storedInWindow} (${(storedInWindow / SECONDS).toFixed(0)}/s against ${RATE}/s offered)`);
    console.log(`stored in all | ${stored} of ${total - failures}${drained ? '' : ` (NOT drained within ${WAIT_SECONDS} s)`}`);
    console.log(`webhook sent -> stored (row's storedAt) p50 / p99 / max | ${pct(storedMs, 50).toFixed(0)} ms / ${pct(storedMs, 99).toFixed(0)} ms / ${(storedMs.at(-1) ?? NaN).toFixed(0)} ms`);
    console.log(`deepest results-queue backlog (visible + in flight) | ${deepest}`);
    console.log(`drain after the last answer (last storedAt) | ${drainSeconds.toFixed(1)} s`);
    // Where the time went: the hub's CPU per stored result by thread, from the first request until drained
    // (this process's readability reads are served by dynalite too, so its figure is an upper bound).
    const used = cpuSpent(cpuBefore, cpuAfter);
    const all = used.reduce((sum, [, s]) => sum + s, 0);
    console.log(`\n## The hub's CPU per stored result, by thread (${elapsed.toFixed(1)} s from the first request until drained, ${stored} stored)`);
    console.log('thread | CPU s | ms per stored result | busy (share of one core)');
    console.log('---|---|---|---');
    for (const [name, sec] of used) console.log(`${THREAD_LABELS[name] ?? name} | ${sec.toFixed(1)} | ${((sec * 1000) / Math.max(1, stored)).toFixed(2)} | ${((100 * sec) / elapsed).toFixed(0)} %`);
    const perResult = (all * 1000) / Math.max(1, stored);
    const mainMs = ((used.find(([n]) => n === 'MainThread')?.[1] ?? 0) * 1000) / Math.max(1, stored);
    console.log(`all threads | ${all.toFixed(1)} | ${perResult.toFixed(2)} | ${((100 * all) / elapsed).toFixed(0)} %`);
    console.log(
      `\nCeiling at this CPU per result: ${cpus().length} cores / ${perResult.toFixed(1)} ms = ${((cpus().length * 1000) / perResult).toFixed(0)} results/s for the whole hub; the main thread alone (one core) ${(1000 / Math.max(0.001, mainMs)).toFixed(0)} results/s. ${RATE}/s needs at most ${((cpus().length * 1000) / RATE).toFixed(1)} ms per result in all and ${(1000 / RATE).toFixed(1)} ms on the main thread.`,
    );
  } finally {
    await hub.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
