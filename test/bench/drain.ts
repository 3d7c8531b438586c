/**
 * Keeping up locally (`npm run bench -- drain`): `npm start`'s hub in a process of its own, offered
 * Rungopher webhooks at a fixed rate (open loop: each request leaves at its planned time whether or not
 * earlier ones were answered) for a fixed time, while this process watches when each result becomes
 * readable (its item in the results table, what `GET /rungopher/results/{id}` reads).
 * Prints: acknowledgement p50/p99, stored per second against offered, webhook -> readable p50/p99/max,
 * the deepest backlog of the results queue, and the drain after the last request.
 * Figures only; nothing here passes or fails. Bounded: DRAIN_RATE x DRAIN_SECONDS requests, then at
 * most DRAIN_WAIT_SECONDS for the backlog.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localName } from '#infra/local/emulators.ts';
import { spawnHub } from '#test/helpers/npm-start.ts';
import { makeResult } from '#test/rungopher/samples.ts';

const RATE = Number(process.env.DRAIN_RATE ?? 200);
const SECONDS = Number(process.env.DRAIN_SECONDS ?? 30);
const WAIT_SECONDS = Number(process.env.DRAIN_WAIT_SECONDS ?? 120);
/** Contacts the results are spread over (one campaign), so the contact view sees repeats as in a campaign. */
const CONTACTS = Number(process.env.DRAIN_CONTACTS ?? 1000);
const FIRST_ID = 7_000_000;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/** The mix a campaign sends: answers, e-mails, phones, link clicks, one result per request. */
function body(i: number): string {
  const contactId = String(i % CONTACTS);
  const timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const kinds = [
    { resultType: 'boolean', resultName: 'accepted', data: { answer: i % 2 ? 'yes' : 'no' } },
    { resultType: 'linkClicked', resultName: 'link', data: { link: `https://example.com/offer/${i % 7}`, count: 1 + (i % 3) } },
    { resultType: 'email', resultName: 'newEmail', data: { email: `person${i % CONTACTS}@example.com` } },
    { resultType: 'boolean', resultName: 'optIn', data: { answer: 'yes' } },
  ] as const;
  return JSON.stringify(makeResult({ id: FIRST_ID + i, campaignId: 42, contactId, timestamp, ...kinds[i % kinds.length] }));
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
  const readableMs: number[] = [];
  const pending = new Set<number>();
  let failures = 0;
  let deepest = 0;
  let storedInWindow = 0;
  try {
    // Warm the path (module load, connections) outside the figures.
    for (let i = 0; i < 20; i++) await fetch(url, { method: 'POST', body: JSON.stringify(makeResult({ id: FIRST_ID - 1 - i })) }).then((r) => r.arrayBuffer());
    const start = performance.now();
    let done = false;
    // Readable: a BatchGet of the ids answered 200 and not yet seen, 100 keys a request, every 100 ms.
    const watcher = (async () => {
      while (!done || pending.size) {
        const ids = [...pending].slice(0, 1000);
        for (let k = 0; k < ids.length; k += 100) {
          const chunk = ids.slice(k, k + 100);
          const out = await dynamo.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: chunk.map((i) => ({ id: String(FIRST_ID + i) })), ProjectionExpression: 'id' } } }));
          const now = performance.now();
          for (const item of out.Responses?.[table] ?? []) {
            const i = Number(item.id) - FIRST_ID;
            if (!pending.delete(i)) continue;
            readableMs.push(now - (sentAt[i] ?? now));
            if (now - start <= SECONDS * 1000) storedInWindow++;
          }
        }
        if (performance.now() - start > (SECONDS + WAIT_SECONDS) * 1000) break;
        await sleep(100);
      }
    })();
    const depth = (async () => {
      while (!done || pending.size) {
        const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
        deepest = Math.max(deepest, Number(a.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0));
        if (performance.now() - start > (SECONDS + WAIT_SECONDS) * 1000) break;
        await sleep(500);
      }
    })();
    const requests: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const planned = start + (i * 1000) / RATE;
      const wait = planned - performance.now();
      if (wait > 1) await sleep(wait);
      sentAt[i] = performance.now();
      requests.push(
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(i) })
          .then(async (res) => {
            await res.arrayBuffer();
            ackMs.push(performance.now() - (sentAt[i] ?? 0));
            if (res.status === 200) pending.add(i);
            else failures++;
          })
          .catch(() => void failures++),
      );
    }
    const offeredSeconds = (performance.now() - start) / 1000;
    await Promise.all(requests);
    done = true;
    const lastAnswer = performance.now();
    await Promise.all([watcher, depth]);
    const drained = pending.size === 0;
    const drainSeconds = (performance.now() - lastAnswer) / 1000;
    ackMs.sort((a, b) => a - b);
    readableMs.sort((a, b) => a - b);
    const stored = readableMs.length;
    console.log(`\n## Fixed-rate drain, \`npm start\` hub in its own process (${RATE} webhooks/s offered for ${SECONDS} s, ${CONTACTS} contacts, load average ${loadavg().map((l) => l.toFixed(1)).join(', ')} on 2 cores)`);
    console.log('figure | value');
    console.log('---|---');
    console.log(`offered | ${total} webhooks in ${offeredSeconds.toFixed(1)} s (${(total / offeredSeconds).toFixed(0)}/s)`);
    console.log(`answered 200 / not 200 | ${total - failures} / ${failures}`);
    console.log(`acknowledgement p50 / p99 | ${pct(ackMs, 50).toFixed(1)} ms / ${pct(ackMs, 99).toFixed(1)} ms`);
    console.log(`stored while offering | ${storedInWindow} (${(storedInWindow / SECONDS).toFixed(0)}/s against ${RATE}/s offered)`);
    console.log(`stored in all | ${stored} of ${total - failures}${drained ? '' : ` (NOT drained within ${WAIT_SECONDS} s)`}`);
    console.log(`webhook -> readable p50 / p99 / max | ${pct(readableMs, 50).toFixed(0)} ms / ${pct(readableMs, 99).toFixed(0)} ms / ${(readableMs.at(-1) ?? NaN).toFixed(0)} ms`);
    console.log(`deepest results-queue backlog (visible + in flight) | ${deepest}`);
    console.log(`drain after the last answer | ${drainSeconds.toFixed(1)} s`);
  } finally {
    await hub.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
