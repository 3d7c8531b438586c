/**
 * The drain's floor (`npm run bench -- drain-floor`; `-- drain` runs it after the drain): the CPU that
 * the AWS requests of one stored Rungopher result take on this machine's emulators when made by bare
 * SDK clients, with none of the hub's code, its gateway or its functions.
 *
 * 1. Records: an in-process hub is sent `FLOOR_RESULTS` webhooks of the drain's mix (through its
 *    gateway, 16 at a time) and drains them; a middleware on the functions' shared DynamoDB and SQS
 *    clients records every request's marshalled input, and the local bus counts the PutEvents
 *    requests, entries and bytes.
 * 2. Replays on fresh emulators (the same worker threads the hub uses) with bare clients (default SDK
 *    configuration), 16 at a time: every recorded DynamoDB request as it was made (same items, same
 *    conditions, same indexes to maintain), every recorded SendMessage, a ReceiveMessage of 10 and
 *    its DeleteMessageBatch per 10 results (the event source mapping's part), and as many PutEvents
 *    of the recorded entries and sizes to the local bus. The CPU of every thread of this process over
 *    the replay, per result, is the floor.
 *
 * The floor leaves out the webhook's HTTP request and answer, the gateway, the invocations and the
 * functions' own work, so it is below what any implementation of the same requests can reach here.
 * Set against the drain's goal (200 results/s on 2 cores: at most 10 ms of CPU per result in all), it
 * says how much of that budget the requests alone take. Figures only; nothing here passes or fails.
 */
import { cpus, loadavg } from 'node:os';
import * as ddb from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createQueues, createTables, LOCAL_AWS_ENV, localName, startEmulators } from '#infra/local/emulators.ts';
import { startEventRouter } from '#infra/local/event-router.ts';
import { eventually, startTestHub } from '#test/helpers/hub.ts';
import { drainBody } from '#test/helpers/drain-mix.ts';
import { cpuSpent, THREAD_LABELS, threadCpu } from '#test/helpers/thread-cpu.ts';

const RESULTS = Number(process.env.FLOOR_RESULTS ?? 2000);
const CONTACTS = Number(process.env.DRAIN_CONTACTS ?? 1000);
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

/** Runs `jobs` in order, `width` at a time. */
async function pool(jobs: readonly (() => Promise<unknown>)[], width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) await jobs[next++]?.();
    }),
  );
}

/** Phase 1: the requests a stored result makes, recorded on the hub itself. */
async function record(): Promise<{ requests: Recorded[]; events: { requests: number; entries: number; bytes: number } }> {
  const hub = await startTestHub({ env: { RUNGOPHER_SANDBOX_WEBHOOKS: 'off' } });
  try {
    const { dynamo, sqs } = await import('#platform/aws.ts');
    const requests: Recorded[] = [];
    let recording = false;
    const recorder = (service: Recorded['service']) => (next: Next, context: { commandName?: string }): Next => async (args) => {
      if (recording) requests.push({ service, op: (context.commandName ?? '').replace(/Command$/, ''), input: structuredClone(args.input) });
      return next(args);
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
    return { requests, events: { requests: after.requests - before.requests, entries: after.entries - before.entries, bytes: after.bytes - before.bytes } };
  } finally {
    await hub.cleanup();
  }
}

/** Phase 2: the same requests by bare clients on fresh emulators; the CPU of every thread of this process. */
async function replay(recorded: Awaited<ReturnType<typeof record>>): Promise<{ used: [string, number][]; seconds: number; failed: number }> {
  const emulators = await startEmulators({});
  const credentials = { accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY };
  const region = LOCAL_AWS_ENV.AWS_REGION;
  try {
    await createTables(emulators.dynamo);
    const { 'rungopher-results': queue } = await createQueues(emulators.sqs, undefined, { only: ['rungopher-results'] });
    const router = await startEventRouter({ busName: 'floor', targets: [], sqs: emulators.sqs });
    const dynamo = new ddb.DynamoDBClient({ endpoint: emulators.dynamoEndpoint, region, credentials });
    const sqs = new SQSClient({ endpoint: emulators.sqsEndpoint, region, credentials, useQueueUrlAsEndpoint: false });
    const events = new EventBridgeClient({ endpoint: router.url, region, credentials });
    const commands = ddb as unknown as Record<string, new (input: Record<string, unknown>) => ddb.PutItemCommand>;
    let failed = 0;
    const tolerate = (err: unknown) => {
      // A condition the recorded run also failed (a duplicate slot, an older result): the request was made.
      if ((err as Error).name === 'ConditionalCheckFailedException' || (err as Error).name === 'TransactionCanceledException') failed++;
      else throw err;
    };
    const jobs: (() => Promise<unknown>)[] = [];
    const perEvent = Math.max(1, Math.round(recorded.events.entries / Math.max(1, recorded.events.requests)));
    const detail = JSON.stringify({ pad: 'x'.repeat(Math.max(0, Math.round(recorded.events.bytes / Math.max(1, recorded.events.entries)) - 200)) });
    const putEvents = () => events.send(new PutEventsCommand({ Entries: Array.from({ length: perEvent }, () => ({ EventBusName: 'floor', Source: 'switchboard.floor', DetailType: 'floor', Detail: detail })) }));
    const eventEvery = recorded.requests.length / Math.max(1, recorded.events.requests);
    let nextEvent = 0;
    for (const [k, r] of recorded.requests.entries()) {
      if (r.service === 'dynamodb') {
        const Command = commands[`${r.op}Command`];
        if (!Command) throw new Error(`no command ${r.op}`);
        jobs.push(() => dynamo.send(new Command(r.input)).catch(tolerate));
      } else if (r.op === 'SendMessage') jobs.push(() => sqs.send(new SendMessageCommand({ ...r.input, QueueUrl: queue.url } as never)));
      while (nextEvent * eventEvery <= k && nextEvent < recorded.events.requests) {
        nextEvent++;
        jobs.push(putEvents);
      }
    }
    while (nextEvent++ < recorded.events.requests) jobs.push(putEvents);
    // The event source mapping's part: batches of 10 received and deleted, beside the writes.
    let received = 0;
    const sends = recorded.requests.filter((r) => r.op === 'SendMessage').length;
    const consume = async () => {
      while (received < sends) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        received += Messages.length;
        if (Messages.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: Messages.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
      }
    };
    // Warm the clients (connections, first-request work) outside the figure.
    await dynamo.send(new ddb.DescribeTableCommand({ TableName: localName('rungopher-results') }));
    await events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'floor', Source: 'switchboard.floor', DetailType: 'warm', Detail: '{}' }] }));
    const cpuBefore = await threadCpu({ pid: process.pid });
    const start = performance.now();
    await Promise.all([pool(jobs, CONCURRENCY), consume()]);
    const seconds = (performance.now() - start) / 1000;
    const cpuAfter = await threadCpu({ pid: process.pid });
    dynamo.destroy();
    sqs.destroy();
    events.destroy();
    await router.stop();
    return { used: cpuSpent(cpuBefore, cpuAfter), seconds, failed };
  } finally {
    await emulators.stop();
  }
}

const recorded = await record();
const byOp = new Map<string, number>();
for (const r of recorded.requests) byOp.set(`${r.service}:${r.op}`, (byOp.get(`${r.service}:${r.op}`) ?? 0) + 1);
console.log(`\n## The AWS requests of one stored result (${RESULTS} webhooks of the drain's mix through an in-process hub)`);
console.log('request | per result');
console.log('---|---');
for (const [op, n] of [...byOp].sort((a, b) => b[1] - a[1])) console.log(`${op} | ${(n / RESULTS).toFixed(2)}`);
console.log(`eventbridge:PutEvents | ${(recorded.events.requests / RESULTS).toFixed(2)} (${(recorded.events.entries / RESULTS).toFixed(2)} entries, ${(recorded.events.bytes / Math.max(1, recorded.events.entries)).toFixed(0)} bytes each)`);
console.log('sqs:ReceiveMessage + DeleteMessageBatch (event source mapping, batches of 10) | 0.20');

const { used, seconds, failed } = await replay(recorded);
const all = used.reduce((n, [, s]) => n + s, 0);
const perResult = (all * 1000) / RESULTS;
const budget = (cpus().length * 1000) / GOAL_RATE;
console.log(`\n## Floor: the same requests by bare SDK clients on fresh emulators, ${CONCURRENCY} at a time (${seconds.toFixed(1)} s; ${failed} conditions failed as recorded; load average ${loadavg().map((l) => l.toFixed(1)).join(', ')} on ${cpus().length} cores)`);
console.log('thread | CPU s | ms per result');
console.log('---|---|---');
for (const [name, sec] of used) console.log(`${(THREAD_LABELS[name] ?? name).replace(/^main thread: .*/, 'main thread: the bare SDK clients and the local bus')} | ${sec.toFixed(2)} | ${((sec * 1000) / RESULTS).toFixed(2)}`);
console.log(`all threads | ${all.toFixed(2)} | ${perResult.toFixed(2)}`);
console.log(
  `\nThe requests alone take ${perResult.toFixed(1)} ms of CPU per result: ${((100 * perResult) / budget).toFixed(0)} % of the ${budget.toFixed(1)} ms that ${GOAL_RATE} results/s on ${cpus().length} cores allow, a ceiling of ${((cpus().length * 1000) / perResult).toFixed(0)} results/s before any of the hub's own work (HTTP, gateway, functions).`,
);
