/**
 * The drain's floor (`npm run bench -- drain-floor`; `-- drain` runs it after the drain): the CPU that
 * the AWS requests of one stored Rungopher result take on this machine's emulators when made by bare
 * SDK clients, with none of the hub's code, its gateway or its functions.
 *
 * 1. Records: an in-process hub is sent `FLOOR_RESULTS` webhooks of the drain's mix (through its
 *    gateway, 16 at a time) and drains them; a middleware on the functions' shared DynamoDB and SQS
 *    clients records every request's marshalled input, and the local bus counts the PutEvents
 *    requests, entries and bytes.
 * 2. Replays them `FLOOR_RUNS` times (default 3), each on fresh emulators backed by files as `npm start`'s
 *    are (the same worker threads), with bare SDK clients (the hub's client settings, none of its code),
 *    16 at a time: every recorded DynamoDB request as it was made (same items, same conditions, same
 *    indexes to maintain), every recorded SendMessage, ReceiveMessage of up to 10 with its
 *    DeleteMessageBatch (the event source mapping's part, counted), and as many PutEvents, of the
 *    recorded entries per request and bytes per entry, to the local bus. Every kind of request is made
 *    first on tables and a queue of their own, so the measured window starts warm. The CPU of every
 *    thread of this process over the replay, per result, is the floor; the runs and their median are
 *    printed.
 *
 * 3. The webhook's HTTP exchange alone: a bare `node:http` server that reads each body and answers 200,
 *    POSTed the same bodies from a worker thread (the callers, not counted), 16 at a time.
 *
 * The floor leaves out the gateway, the invocations and the functions' own work, so it is below what
 * any implementation of the same requests can reach here.
 * Set against the drain's goal (200 results/s on 2 cores: at most 10 ms of CPU per result in all), it
 * says how much of that budget the requests alone take. Figures only; nothing here passes or fails.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as ddb from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createQueues, createTables, LOCAL_AWS_ENV, localName, startEmulators } from '#infra/local/emulators.ts';
import { HUB_CLIENT_CONFIG, hubClient } from '#platform/aws-client.ts';
import { mapLimit } from '#platform/concurrency.ts';
import { entryBytes } from '#platform/outbound/event.ts';
import { startEventRouter } from '#infra/local/event-router.ts';
import { eventually, startTestHub } from '#test/helpers/hub.ts';
import { drainBody } from '#test/helpers/drain-mix.ts';
import { cpuSpent, LOAD_THREAD, THREAD_LABELS, threadCpu } from '#test/helpers/thread-cpu.ts';
import type { LoadFigures, LoadRequest } from './load-worker.ts';

const RESULTS = Number(process.env.FLOOR_RESULTS ?? 2000);
const CONTACTS = Number(process.env.DRAIN_CONTACTS ?? 1000);
const RUNS = Number(process.env.FLOOR_RUNS ?? 3);
const CONCURRENCY = 16;
/** The drain's goal: results a second on this machine. */
const GOAL_RATE = 200;

type Next = (args: { input: Record<string, unknown> }) => Promise<unknown>;
interface Stack {
  add(mw: (next: Next, context: { commandName?: string }) => Next, options: { step: 'build'; name: string }): void;
}
interface Recorded {
  readonly service: 'dynamodb' | 'sqs';
  readonly op: string;
  readonly input: Record<string, unknown>;
}

/** Runs `jobs` in order, `width` at a time (the kit's `mapLimit`). */
const pool = (jobs: readonly (() => Promise<unknown>)[], width: number): Promise<unknown[]> => mapLimit(jobs, width, (job) => job());

/** Phase 1: the requests a stored result makes, recorded on the hub itself. */
async function record(): Promise<{ requests: Recorded[]; failed: number; events: { requests: number; entries: number; bytes: number } }> {
  const hub = await startTestHub({ env: { RUNGOPHER_SANDBOX_WEBHOOKS: 'off' } });
  try {
    const { dynamo, sqs } = await import('#platform/aws.ts');
    const requests: Recorded[] = [];
    let recording = false;
    let failed = 0;
    const recorder = (service: Recorded['service']) => (next: Next, context: { commandName?: string }): Next => async (args) => {
      if (!recording) return next(args);
      requests.push({ service, op: (context.commandName ?? '').replace(/Command$/, ''), input: structuredClone(args.input) });
      try {
        return await next(args);
      } catch (err) {
        if ((err as Error).name === 'ConditionalCheckFailedException') failed++;
        throw err;
      }
    };
    (dynamo.middlewareStack as unknown as Stack).add(recorder('dynamodb'), { step: 'build', name: 'floorRecorder' });
    (sqs.middlewareStack as unknown as Stack).add(recorder('sqs'), { step: 'build', name: 'floorRecorder' });
    const url = `${hub.url}/webhooks/rungopher/${hub.env.RUNGOPHER_WEBHOOK_TOKEN}`;
    const post = async (body: string) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    };
    // Warm the path outside the recording (module load, the once-a-minute status write).
    for (let i = 0; i < 10; i++) await post(drainBody(RESULTS + i, CONTACTS));
    await eventually(async () => ((await hub.queueDepth('rungopher-results')) === 0 ? true : undefined), { timeoutMs: 60_000 });
    const before = { ...hub.published };
    recording = true;
    await pool(Array.from({ length: RESULTS }, (_, i) => () => post(drainBody(i, CONTACTS))), CONCURRENCY);
    const stored = () => requests.filter((r) => r.op === 'PutItem' && r.input.TableName === localName('rungopher-results')).length;
    await eventually(async () => (stored() >= RESULTS && (await hub.queueDepth('rungopher-results')) === 0 ? true : undefined), { timeoutMs: 300_000, intervalMs: 250 });
    recording = false;
    const after = hub.published;
    return { requests, failed, events: { requests: after.requests - before.requests, entries: after.entries - before.entries, bytes: after.bytes - before.bytes } };
  } finally {
    await hub.cleanup();
  }
}

/** The recorded requests, and the PutEvents that go with them, as jobs against `to` (its clients and names). */
function jobsOf(recorded: Recording, to: { dynamo: ddb.DynamoDBClient; sqs: SQSClient; events: EventBridgeClient; queueUrl: string; table: (name: string) => string }, count: { failed: number }): (() => Promise<unknown>)[] {
  const commands = ddb as unknown as Record<string, new (input: Record<string, unknown>) => ddb.PutItemCommand>;
  const tolerate = (err: unknown) => {
    // A condition that failed (a duplicate slot, an older result): the request was made all the same.
    if ((err as Error).name === 'ConditionalCheckFailedException' || (err as Error).name === 'TransactionCanceledException') count.failed++;
    else throw err;
  };
  const { requests, entries, bytes } = recorded.events;
  const perRequest = Math.max(1, Math.round(entries / Math.max(1, requests)));
  // An entry of the recorded size: entryBytes counts source, detail-type and detail.
  const source = 'switchboard.floor';
  const detailType = 'floor';
  const pad = Math.max(0, Math.round(bytes / Math.max(1, entries)) - entryBytes(source, detailType, '{"pad":""}'));
  const detail = JSON.stringify({ pad: 'x'.repeat(pad) });
  const putEvents = () => to.events.send(new PutEventsCommand({ Entries: Array.from({ length: perRequest }, () => ({ EventBusName: 'floor', Source: source, DetailType: detailType, Detail: detail })) }));
  const jobs: (() => Promise<unknown>)[] = [];
  const eventEvery = recorded.requests.length / Math.max(1, requests);
  let nextEvent = 0;
  for (const [k, r] of recorded.requests.entries()) {
    if (r.service === 'dynamodb') {
      const Command = commands[`${r.op}Command`];
      if (!Command) throw new Error(`no command ${r.op}`);
      const input = typeof r.input.TableName === 'string' ? { ...r.input, TableName: to.table(r.input.TableName) } : r.input;
      jobs.push(() => to.dynamo.send(new Command(input)).catch(tolerate));
    } else if (r.op === 'SendMessage') jobs.push(() => to.sqs.send(new SendMessageCommand({ ...r.input, QueueUrl: to.queueUrl } as never)));
    else throw new Error(`not replayed: ${r.service}:${r.op}`);
    while (nextEvent * eventEvery <= k && nextEvent < requests) {
      nextEvent++;
      jobs.push(putEvents);
    }
  }
  while (nextEvent++ < requests) jobs.push(putEvents);
  return jobs;
}

/** Receives and deletes (up to 10 a receive) until `sends` messages came; the receives made. */
async function consume(sqs: SQSClient, queueUrl: string, sends: number): Promise<number> {
  let received = 0;
  let receives = 0;
  while (received < sends) {
    receives++;
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    received += Messages.length;
    if (Messages.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
  }
  return receives;
}

type Recording = Awaited<ReturnType<typeof record>>;
interface Replay {
  readonly used: [string, number][];
  readonly seconds: number;
  readonly failed: number;
  readonly receives: number;
}

/** Phase 2: the same requests by bare clients on fresh, file-backed emulators; the CPU of every thread of this process. */
async function replay(recorded: Recording): Promise<Replay> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-floor-'));
  const emulators = await startEmulators({ dynamoPath: join(dir, 'dynamodb'), sqsPath: join(dir, 'sqs') });
  const credentials = { accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY };
  const region = LOCAL_AWS_ENV.AWS_REGION;
  try {
    // The measured tables and queue, and a warm-up set of their own (so the warm-up's writes do not change what the measured ones find).
    const warmName = (logical: string) => `warm-${localName(logical)}`;
    await createTables(emulators.dynamo);
    await createTables(emulators.dynamo, { name: warmName });
    const { 'rungopher-results': queue } = await createQueues(emulators.sqs, undefined, { only: ['rungopher-results'] });
    const { 'rungopher-results': warmQueue } = await createQueues(emulators.sqs, undefined, { only: ['rungopher-results'], name: warmName });
    const router = await startEventRouter({ busName: 'floor', targets: [], sqs: emulators.sqs });
    // Bare clients with the hub's settings (timeouts, no logger middleware): the SDK's own cost, none of the hub's code.
    const dynamo = hubClient(new ddb.DynamoDBClient({ ...HUB_CLIENT_CONFIG, endpoint: emulators.dynamoEndpoint, region, credentials }));
    const sqs = hubClient(new SQSClient({ ...HUB_CLIENT_CONFIG, endpoint: emulators.sqsEndpoint, region, credentials, useQueueUrlAsEndpoint: false }));
    const events = hubClient(new EventBridgeClient({ ...HUB_CLIENT_CONFIG, endpoint: router.url, region, credentials }));
    const sends = recorded.requests.filter((r) => r.op === 'SendMessage').length;
    // Warm-up: the first tenth of the recording on the warm set, every kind of request made.
    const warm = { ...recorded, requests: recorded.requests.slice(0, Math.ceil(recorded.requests.length / 10)) };
    const warmCount = { failed: 0 };
    const renamed = (physical: string) => `warm-${physical}`;
    await pool(jobsOf(warm, { dynamo, sqs, events, queueUrl: warmQueue.url, table: renamed }, warmCount), CONCURRENCY);
    await consume(sqs, warmQueue.url, warm.requests.filter((r) => r.op === 'SendMessage').length);
    const count = { failed: 0 };
    const jobs = jobsOf(recorded, { dynamo, sqs, events, queueUrl: queue.url, table: (t) => t }, count);
    const cpuBefore = await threadCpu({ pid: process.pid });
    const start = performance.now();
    const [, receives] = await Promise.all([pool(jobs, CONCURRENCY), consume(sqs, queue.url, sends)]);
    const seconds = (performance.now() - start) / 1000;
    const cpuAfter = await threadCpu({ pid: process.pid });
    dynamo.destroy();
    sqs.destroy();
    events.destroy();
    await router.stop();
    return { used: cpuSpent(cpuBefore, cpuAfter), seconds, failed: count.failed, receives };
  } finally {
    await emulators.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const recorded = await record();
const byOp = new Map<string, number>();
for (const r of recorded.requests) byOp.set(`${r.service}:${r.op}`, (byOp.get(`${r.service}:${r.op}`) ?? 0) + 1);
console.log(`\n## The AWS requests of one stored result (${RESULTS} webhooks of the drain's mix through an in-process hub; ${recorded.failed} of its conditional writes failed their condition)`);
console.log('request | per result');
console.log('---|---');
for (const [op, n] of [...byOp].sort((a, b) => b[1] - a[1])) console.log(`${op} | ${(n / RESULTS).toFixed(2)}`);
console.log(`eventbridge:PutEvents | ${(recorded.events.requests / RESULTS).toFixed(2)} (${(recorded.events.entries / RESULTS).toFixed(2)} entries, ${(recorded.events.bytes / Math.max(1, recorded.events.entries)).toFixed(0)} bytes each)`);

/** Phase 3: the CPU of the webhook's HTTP exchange alone, server side (the callers are a worker thread, not counted). */
async function httpFloor(): Promise<number> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'accepted', bytes: body.length }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const worker = new Worker(new URL('./load-worker.ts', import.meta.url), { name: LOAD_THREAD });
  const run = (req: LoadRequest) =>
    new Promise<LoadFigures>((resolve, reject) => {
      worker.once('message', (m: { ok: true; figures: LoadFigures } | { ok: false; error: string }) => (m.ok ? resolve(m.figures) : reject(new Error(m.error))));
      worker.postMessage(req);
    });
  const sample = JSON.parse(drainBody(0, CONTACTS)) as Record<string, unknown>;
  const req = (count: number): LoadRequest => ({ kind: 'webhook', count, concurrency: CONCURRENCY, url, sqsEndpoint: url, sample, firstId: 1 });
  try {
    await run(req(200));
    const before = await threadCpu({ pid: process.pid });
    await run(req(RESULTS));
    const used = cpuSpent(before, await threadCpu({ pid: process.pid })).filter(([name]) => name !== LOAD_THREAD);
    return (used.reduce((n, [, sec]) => n + sec, 0) * 1000) / RESULTS;
  } finally {
    await worker.terminate();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

const budget = (cpus().length * 1000) / GOAL_RATE;
const runs: number[] = [];
for (let run = 1; run <= RUNS; run++) {
  const load = loadavg()[0] ?? 0;
  const { used, seconds, failed, receives } = await replay(recorded);
  const all = used.reduce((n, [, s]) => n + s, 0);
  runs.push((all * 1000) / RESULTS);
  console.log(`\n## Floor, run ${run} of ${RUNS}: the same requests by bare SDK clients on fresh file-backed emulators, ${CONCURRENCY} at a time (${seconds.toFixed(1)} s; ${failed} conditions failed, ${recorded.failed} in the recording; ${(receives / RESULTS).toFixed(2)} receives and their deletes per result; load average ${load.toFixed(1)} before, ${(loadavg()[0] ?? 0).toFixed(1)} after, on ${cpus().length} cores)`);
  console.log('thread | CPU s | ms per result');
  console.log('---|---|---');
  for (const [name, sec] of used) console.log(`${(THREAD_LABELS[name] ?? name).replace(/^main thread: .*/, 'main thread: the bare SDK clients and the local bus')} | ${sec.toFixed(2)} | ${((sec * 1000) / RESULTS).toFixed(2)}`);
  console.log(`all threads | ${all.toFixed(2)} | ${((all * 1000) / RESULTS).toFixed(2)}`);
}
const median = [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)] ?? NaN;
const http = await httpFloor();
console.log(`\n## The webhook's HTTP exchange alone: a bare node:http server answering ${RESULTS} POSTs of the same bodies, ${CONCURRENCY} at a time (the callers in a worker thread, not counted)\n${http.toFixed(2)} ms of CPU per request`);
const floor = median + http;
console.log(
  `\nThe requests alone take ${runs.map((r) => r.toFixed(1)).join(', ')} ms of CPU per result (median ${median.toFixed(1)}), and the HTTP exchange ${http.toFixed(2)} ms: ${floor.toFixed(1)} ms, ${((100 * floor) / budget).toFixed(0)} % of the ${budget.toFixed(1)} ms that ${GOAL_RATE} results/s on ${cpus().length} cores allow (a ceiling of ${((cpus().length * 1000) / floor).toFixed(0)} results/s), before the gateway and the functions' own work.`,
);
