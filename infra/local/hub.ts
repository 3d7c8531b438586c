import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import * as z from 'zod';
import type { FunctionDecl, FunctionName, QueueName } from '#infra/topology/index.ts';
import { envForFunction, events, functionList, secrets, subscriptionConsumer } from '#infra/topology/index.ts';
import { SUBSCRIPTION_QUEUE } from '#infra/topology/platform.ts';
import { SUBSCRIPTION_QUEUES_ENV, SUBSCRIPTIONS_ENV, matches, parseSubscriptions } from '#platform/outbound/subscriptions.ts';
import { startEventRouter, type EventRouter } from './event-router.ts';
import type { ConsumerEvent } from './consumers.ts';
import { startConsumer } from './consumers.ts';
import type { LocalQueue } from './emulators.ts';
import { LOCAL_AWS_ENV, createQueues, createSubscriptionQueues, createTables, queueDepth as depthOf, startEmulators } from './emulators.ts';
import { lockDataFolder, preferPort, readPorts, writePorts } from './data-folder.ts';
import type { CompiledRoute } from './gateway.ts';
import { GATEWAY_MAX_BODY_BYTES, compileRoute, logRequests, matchRoute, readBody, toEventV2, writeJson, writeResult } from './gateway.ts';
import type { LambdaHandler } from './invoke.ts';
import { invoke, loadHandler } from './invoke.ts';
import type { Sandbox } from '#infra/local/sandboxes/index.ts';
import { sandboxes } from '#infra/local/sandboxes/index.ts';
import { writeStaticAssets } from '#infra/openapi/assets.ts';

export { HubAlreadyRunningError } from './data-folder.ts';

/** Name of the event bus on one machine (the router answers for it). */
export const LOCAL_EVENT_BUS = 'switchboard-events';

/** Project root: handlers are loaded by path from here, as Lambda loads them from its bundle. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');

export interface HubOptions {
  /** Overrides `HUB_PORT`; 0 for the port this data folder's last hub chose if free, else a random one. */
  readonly port?: number;
  /** Overrides `HUB_DATA_DIR`. */
  readonly dataDir?: string;
  /** Environment for the hub and its functions; defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Run schedules on timers at their rates. @default true */
  readonly timers?: boolean;
  /** Shorter visibility timeout for every queue (tests); AWS's 6x rule otherwise. */
  readonly visibilityTimeoutSeconds?: number;
  /** Emulator ports. @default the ones this data folder's last hub chose if free, else random ones */
  readonly dynamoPort?: number;
  readonly sqsPort?: number;
  /** Called for each consumer batch (tests, logs). */
  readonly onConsumerEvent?: (e: ConsumerEvent) => void;
  /** Called after each function invocation with its measured duration (the cost bench's Lambda figures). */
  readonly onInvoke?: (e: InvocationEvent) => void;
  /** Where to say what happens. @default console.log */
  readonly log?: (line: string) => void;
}

/** One function invocation as the local runtime ran it. */
export interface InvocationEvent {
  readonly fn: string;
  readonly durationMs: number;
  /** The function's declared memory (what Lambda bills GB-seconds on). */
  readonly memoryMb: number;
}

export interface ScheduleOutcome {
  readonly name: string;
  readonly ok: boolean;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly result?: unknown;
  readonly error?: string;
}

export interface Hub {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** The environment the functions see (generated tokens included). */
  readonly env: Readonly<Record<string, string>>;
  readonly queues: Readonly<Record<QueueName, LocalQueue>>;
  /** Each subscription's delivery queue (`HUB_SUBSCRIPTIONS`), by subscription id. */
  readonly subscriptionQueues: Readonly<Record<string, LocalQueue>>;
  /** What the local event bus was given: PutEvents requests, entries, chunks, bytes, and messages routed to subscription queues. */
  readonly published: EventRouter['counts'];
  readonly sandboxes: Readonly<Record<string, Sandbox>>;
  readonly dynamoPort: number;
  readonly sqsPort: number;
  /** Tokens generated for this data folder (not set in the environment). */
  readonly generated: readonly string[];
  runSchedule(name: string): Promise<ScheduleOutcome>;
  schedules(): { name: string; rateMinutes: number; lastRun?: ScheduleOutcome; nextRunAt?: string }[];
  /** Visible + in-flight + delayed message counts of a queue or its DLQ. */
  queueDepth(name: QueueName, which?: 'queue' | 'dlq'): Promise<number>;
  /** The same, of a subscription's delivery queue or its DLQ. */
  subscriptionDepth(id: string, which?: 'queue' | 'dlq'): Promise<number>;
  /** Moves every message of a queue's DLQ back to the queue (what a DLQ redrive does on AWS). */
  redrive(name: QueueName): Promise<number>;
  /**
   * Stops every queue consumer once its batch in hand is done (what disabling the event source mappings
   * does on AWS); webhooks are still accepted and their messages wait in the queues. For benchmarks that
   * measure the acknowledgement path on its own.
   */
  pauseConsumers(): Promise<void>;
  /** Starts the consumers again after {@link Hub.pauseConsumers}. */
  resumeConsumers(): void;
  stop(): Promise<void>;
}

const HubConfig = z.object({
  HUB_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HUB_DATA_DIR: z.string().min(1).default('.data'),
  HUB_HOST: z.string().min(1).default('127.0.0.1'),
  // Where the functions and queue consumers reach DynamoDB and SQS: the hub's own emulators unless set
  // (the fault run puts a proxy there, in front of the emulators, to cut them off for a while).
  HUB_DYNAMODB_URL: z.url().optional(),
  HUB_SQS_URL: z.url().optional(),
});

/**
 * Starts the whole hub on this machine, one per data folder (a second one gets
 * {@link HubAlreadyRunningError}): dynalite (LevelDB) and fauxqs (SQLite) kept in the data folder and
 * served on loopback, the declared tables and queues, vendor sandboxes for vendors without a base URL, every function
 * loaded by path, a gateway serving their routes as HTTP API payload-v2 events, queue consumers with
 * Lambda's SQS semantics, and schedules at their rates.
 */
export async function startHub(opts: HubOptions = {}): Promise<Hub> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const baseEnv = { ...(opts.env ?? process.env) };
  const parsed = HubConfig.safeParse(Object.fromEntries(Object.entries(baseEnv).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) throw new Error(`Invalid hub configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const config = parsed.data;
  const dataDir = resolve(opts.dataDir ?? config.HUB_DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  // One hub per data folder: a second one stops here, naming the first (before any emulator opens a file).
  const lock = lockDataFolder(dataDir);
  if (lock.tookOverFrom) log(`data folder ${dataDir}: the hub with PID ${lock.tookOverFrom} did not stop cleanly; taking over`);
  try {
    return await startLocked(opts, config, dataDir, lock, log, baseEnv);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function startLocked(
  opts: HubOptions,
  config: z.infer<typeof HubConfig>,
  dataDir: string,
  lock: ReturnType<typeof lockDataFolder>,
  log: (line: string) => void,
  baseEnv: Record<string, string | undefined>,
): Promise<Hub> {
  // Ports: explicit ones win; otherwise the ones this folder's last hub chose, when still free, so the
  // export lines it printed stay valid; otherwise any (the hub) or 3000 when HUB_PORT is unset.
  const remembered = readPorts(dataDir);
  const wantedPort = opts.port ?? config.HUB_PORT;
  const port = wantedPort ? wantedPort : (await preferPort(remembered.hub)) || (wantedPort ?? 3000);

  // Tokens: what the environment does not set is generated once per data folder and kept there, so a
  // restart keeps the same webhook URLs and operator token.
  const secretsFile = join(dataDir, 'local-secrets.json');
  const stored = existsSync(secretsFile) ? z.record(z.string(), z.string()).parse(JSON.parse(await readFile(secretsFile, 'utf8'))) : {};
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(baseEnv)) if (v !== undefined) env[k] = v;
  const generated: string[] = [];
  for (const decl of Object.values(secrets)) {
    for (const key of [...decl.generatedKeys, ...decl.operatorKeys]) {
      if (env[key]) continue;
      env[key] = stored[key] ?? randomBytes(24).toString('base64url');
      stored[key] = env[key];
      generated.push(key);
    }
  }
  await writeFile(secretsFile, JSON.stringify(stored, null, 2), { mode: 0o600 });

  const emulators = await startEmulators({
    dynamoPath: join(dataDir, 'dynamodb'),
    sqsPath: join(dataDir, 'sqs'),
    dynamoPort: opts.dynamoPort ?? (await preferPort(remembered.dynamo)),
    sqsPort: opts.sqsPort ?? (await preferPort(remembered.sqs)),
  });
  if (emulators.releasedInFlight) log(`released ${emulators.releasedInFlight} message(s) that were in flight when the last hub died`);
  const stoppers: (() => Promise<void>)[] = [() => emulators.stop()];
  const previousEnv = { ...process.env };
  try {
    const tableNames = await createTables(emulators.dynamo);
    const localQueues = await createQueues(emulators.sqs, opts.visibilityTimeoutSeconds);

    // Outbound: each subscription's queue, and the router standing in for the event bus and its rules.
    const subscriptions = parseSubscriptions(env[SUBSCRIPTIONS_ENV], { knownTypes: Object.keys(events), requireHttps: false, requireSecret: true });
    const delivery = subscriptionConsumer();
    const subscriptionQueues = await createSubscriptionQueues(
      emulators.sqs,
      subscriptions.map((s) => s.id),
      SUBSCRIPTION_QUEUE,
      // Not the tests' shorter visibility: the delivery function sets each retry's delay itself, and a
      // delivery still running when a short timeout ran out would be sent twice.
      6 * (delivery.timeoutSeconds ?? 30),
    );
    const router = await startEventRouter({
      busName: LOCAL_EVENT_BUS,
      sqs: emulators.sqs,
      targets: subscriptions.map((s) => ({ id: s.id, queueUrl: subscriptionQueues[s.id]?.url ?? '', matches: (type: string) => matches(s, type) })),
    });
    stoppers.unshift(() => router.stop());
    const subscriptionEnv = {
      [SUBSCRIPTIONS_ENV]: JSON.stringify(subscriptions),
      [SUBSCRIPTION_QUEUES_ENV]: JSON.stringify(
        subscriptions.map((s) => {
          const q = subscriptionQueues[s.id];
          return { id: s.id, queueArn: `arn:aws:sqs:us-east-1:000000000000:${q?.name ?? ''}`, queueUrl: q?.url ?? '', dlqUrl: q?.dlqUrl ?? '' };
        }),
      ),
    };

    Object.assign(env, LOCAL_AWS_ENV, {
      AWS_ENDPOINT_URL_DYNAMODB: config.HUB_DYNAMODB_URL ?? emulators.dynamoEndpoint,
      AWS_ENDPOINT_URL_SQS: config.HUB_SQS_URL ?? emulators.sqsEndpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: router.url,
      POWERTOOLS_DEV: env.POWERTOOLS_DEV ?? 'true',
      // Many invocations run at once in this one process: Powertools then keeps each one's Lambda
      // context and log keys in the invoke store that `invoke` opens per invocation.
      AWS_LAMBDA_MAX_CONCURRENCY: env.AWS_LAMBDA_MAX_CONCURRENCY ?? '64',
      // One readable line per log event here (JSON stays on AWS, where this is never set).
      SWITCHBOARD_LOG_FORMAT: env.SWITCHBOARD_LOG_FORMAT ?? 'line',
      // EMF metrics go to CloudWatch on AWS; locally nothing reads them, so they stay off unless asked for.
      POWERTOOLS_METRICS_DISABLED: env.POWERTOOLS_METRICS_DISABLED ?? 'true',
      // The emulator has no message move tasks: a DLQ redrive is the runtime's own (receive, send, delete).
      HUB_DLQ_REDRIVE: 'copy',
    });
    const all = functionList();
    for (const fn of all) {
      Object.assign(
        env,
        envForFunction(fn, {
          table: (t) => tableNames[t],
          queueUrl: (q) => localQueues[q].url,
          dlqUrl: (q) => localQueues[q].dlqUrl,
          // Locally secrets are plain variables (set above), so there is no ARN to read.
          secretArn: () => '',
          eventBus: LOCAL_EVENT_BUS,
          subscriptions: subscriptionEnv,
        }),
      );
    }
    for (const [k, v] of Object.entries(env)) if (v === '') delete env[k];

    // Sandboxes stand in for vendors whose base URL is not set.
    let hubUrl = '';
    const started: Record<string, Sandbox> = {};
    for (const decl of sandboxes) {
      if (env[decl.baseUrlEnv]) continue;
      const sb = await decl.start({ port: await preferPort(remembered.sandboxes?.[decl.vendor]), hubUrl: () => hubUrl, env, stateFile: join(dataDir, 'sandboxes', `${decl.vendor}.json`) });
      started[decl.vendor] = sb;
      env[decl.baseUrlEnv] = sb.url;
      stoppers.unshift(() => sb.stop());
    }

    if (all.some((f) => f.staticAssets)) env.STATIC_ASSETS_DIR = join(dataDir, 'static');

    // The functions run in this process and read process.env, as they would read Lambda's.
    Object.assign(process.env, env);
    stoppers.push(async () => {
      for (const k of Object.keys(process.env)) if (!(k in previousEnv)) delete process.env[k];
      Object.assign(process.env, previousEnv);
    });

    // The static-asset folder, written by the same code as the stack's bundling hook (after the
    // environment is set: the route descriptions import modules that make AWS clients).
    if (env.STATIC_ASSETS_DIR) await writeStaticAssets(env.STATIC_ASSETS_DIR, PROJECT_ROOT);

    const handlers = new Map<string, LambdaHandler>();
    for (const fn of all) {
      const loaded = await loadHandler(PROJECT_ROOT, fn.entry);
      const onInvoke = opts.onInvoke;
      handlers.set(
        fn.name,
        onInvoke
          ? async (event, context) => {
              const t = performance.now();
              try {
                return await loaded(event, context);
              } finally {
                onInvoke({ fn: fn.name, durationMs: performance.now() - t, memoryMb: fn.memoryMb ?? 512 });
              }
            }
          : loaded,
      );
    }
    const byName = new Map<string, FunctionDecl & { readonly name: FunctionName }>(all.map((f) => [f.name, f]));

    // Schedules.
    const lastRuns = new Map<string, ScheduleOutcome>();
    const nextRuns = new Map<string, number>();
    const scheduleFns = all.filter((f) => f.trigger.kind === 'schedule');
    const runSchedule = async (name: string): Promise<ScheduleOutcome> => {
      const fn = byName.get(name);
      const handler = handlers.get(name);
      if (!fn || !handler || fn.trigger.kind !== 'schedule') throw new Error(`No schedule named ${name}`);
      const startedAt = new Date();
      const event: ScheduledEvent = {
        version: '0',
        id: crypto.randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '000000000000',
        time: startedAt.toISOString(),
        region: 'us-east-1',
        resources: [`arn:aws:events:us-east-1:000000000000:rule/${name}`],
        detail: {},
      };
      let outcome: ScheduleOutcome;
      try {
        const result = await invoke(name, fn, handler, event);
        outcome = { name, ok: true, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), ...(result !== undefined ? { result } : {}) };
      } catch (err) {
        outcome = { name, ok: false, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), error: (err as Error).message };
      }
      lastRuns.set(name, outcome);
      return outcome;
    };
    const timers: NodeJS.Timeout[] = [];
    if (opts.timers ?? true) {
      for (const fn of scheduleFns) {
        if (fn.trigger.kind !== 'schedule') continue;
        const every = fn.trigger.rateMinutes * 60_000;
        nextRuns.set(fn.name, Date.now() + every);
        const t = setInterval(() => {
          nextRuns.set(fn.name, Date.now() + every);
          void runSchedule(fn.name).then((o) => log(`schedule ${o.name}: ${o.ok ? 'ok' : `failed: ${o.error}`} in ${o.durationMs} ms`));
        }, every);
        t.unref();
        timers.push(t);
      }
    }
    stoppers.unshift(async () => timers.forEach((t) => clearInterval(t)));

    // Consumers (through HUB_SQS_URL when set, as the functions: Lambda's poller meets the same SQS).
    const consumerSqs = config.HUB_SQS_URL
      ? new SQSClient({ endpoint: config.HUB_SQS_URL, region: LOCAL_AWS_ENV.AWS_REGION, credentials: { accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY }, useQueueUrlAsEndpoint: false })
      : emulators.sqs;
    // One consumer per subscription queue, all running the delivery function, as its event sources do on AWS.
    const deliveryHandler = handlers.get(delivery.name);
    if (!deliveryHandler) throw new Error(`No handler for ${delivery.name}`);
    const startConsumers = () => [
      ...all
        .filter((f) => f.trigger.kind === 'queue')
        .map((fn) => {
          if (fn.trigger.kind !== 'queue') throw new Error('unreachable');
          const handler = handlers.get(fn.name);
          if (!handler) throw new Error(`No handler for ${fn.name}`);
          return startConsumer({
            name: fn.name,
            fn,
            handler,
            queue: localQueues[fn.trigger.queue],
            sqs: consumerSqs,
            onEvent: (e) => {
              opts.onConsumerEvent?.(e);
              if (e.error) log(`consumer ${e.fn}: ${e.failed}/${e.received} failed: ${e.error}`);
            },
          });
        }),
      ...Object.values(subscriptionQueues).map((q) =>
        startConsumer({
          name: delivery.name,
          fn: delivery,
          handler: deliveryHandler,
          queue: q,
          sqs: consumerSqs,
          onEvent: (e) => {
            opts.onConsumerEvent?.(e);
            if (e.error) log(`consumer ${e.fn} (${q.name}): ${e.failed}/${e.received} failed: ${e.error}`);
          },
        }),
      ),
    ];
    let consumers = startConsumers();
    let paused = false;

    const queueDepth = (name: QueueName, which: 'queue' | 'dlq' = 'queue'): Promise<number> => depthOf(emulators.sqs, localQueues[name], which);
    const redrive = async (name: QueueName): Promise<number> => {
      const q = localQueues[name];
      let moved = 0;
      for (;;) {
        const out = await emulators.sqs.send(new ReceiveMessageCommand({ QueueUrl: q.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }));
        const messages = out.Messages ?? [];
        if (!messages.length) return moved;
        for (const m of messages) {
          // Send first, delete second: a crash in between duplicates (harmless, storage is idempotent), never loses.
          await emulators.sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: m.Body ?? '', MessageAttributes: m.MessageAttributes }));
          await emulators.sqs.send(new DeleteMessageCommand({ QueueUrl: q.dlqUrl, ReceiptHandle: m.ReceiptHandle }));
          moved++;
        }
      }
    };
    const listSchedules = () =>
      scheduleFns.map((f) => ({
        name: f.name,
        rateMinutes: f.trigger.kind === 'schedule' ? f.trigger.rateMinutes : 0,
        ...(lastRuns.get(f.name) ? { lastRun: lastRuns.get(f.name) } : {}),
        ...(nextRuns.get(f.name) ? { nextRunAt: new Date(nextRuns.get(f.name) ?? 0).toISOString() } : {}),
      }));

    // Gateway.
    const routes: CompiledRoute[] = all.flatMap((f) => (f.trigger.kind === 'http' ? f.trigger.routes.map((r) => compileRoute(r.method, r.path, f.name)) : []));
    // API Gateway's `$default` route: what no route matches goes to the function declaring catchAll.
    const catchAll = all.find((f) => f.trigger.kind === 'http' && f.trigger.catchAll);
    const defaultRoute: CompiledRoute | undefined = catchAll ? { method: 'ANY', path: '$default', routeKey: '$default', pattern: /^$/, params: [], target: catchAll.name } : undefined;
    const logRequest = logRequests(routes, log);
    const server = createServer((req, res) => {
      logRequest(req, res);
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://local');
        const method = req.method ?? 'GET';
        if (url.pathname.startsWith('/_local/')) return localEndpoint(method, url.pathname, res);
        const match = matchRoute(routes, method, url.pathname) ?? (defaultRoute ? { route: defaultRoute, params: {} } : undefined);
        if (!match) return writeJson(res, 404, { message: 'Not Found' });
        const body = await readBody(req, GATEWAY_MAX_BODY_BYTES);
        if (!body) return writeJson(res, 413, { message: 'Request Entity Too Large' });
        const event = toEventV2(req, url, body, match.route, match.params);
        const fn = byName.get(match.route.target);
        const handler = handlers.get(match.route.target);
        if (!fn || !handler) return writeJson(res, 500, { message: 'Internal Server Error' });
        try {
          writeResult(res, await invoke(fn.name, fn, handler, event), event.requestContext.requestId);
        } catch (err) {
          log(`${fn.name} failed: ${(err as Error).message}`);
          writeJson(res, 500, { message: 'Internal Server Error' });
        }
      })().catch((err: unknown) => {
        log(`gateway error: ${(err as Error).message}`);
        if (!res.headersSent) writeJson(res, 500, { message: 'Internal Server Error' });
      });
    });
    const localEndpoint = async (method: string, path: string, res: ServerResponse): Promise<void> => {
      if (method === 'GET' && path === '/_local/schedules') return writeJson(res, 200, { schedules: listSchedules() });
      const m = /^\/_local\/schedules\/([^/]+)$/.exec(path);
      if (method === 'POST' && m?.[1]) {
        const name = decodeURIComponent(m[1]);
        if (!scheduleFns.some((f) => f.name === name)) return writeJson(res, 404, { error: `No schedule named ${name}`, schedules: scheduleFns.map((f) => f.name) });
        const outcome = await runSchedule(name);
        return writeJson(res, outcome.ok ? 200 : 502, outcome);
      }
      return writeJson(res, 404, {
        error: 'Unknown local endpoint',
        // Queues and their DLQs are the operator API's (GET /queues, POST /queues/{queue}/redrive), as on AWS.
        endpoints: ['GET /_local/schedules', 'POST /_local/schedules/{name}'],
      });
    };
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(port, config.HUB_HOST, () => res());
    });
    const actualPort = (server.address() as AddressInfo).port;
    hubUrl = `http://${config.HUB_HOST}:${actualPort}`;
    process.env.HUB_URL = hubUrl;
    lock.announce(hubUrl);
    writePorts(dataDir, {
      hub: actualPort,
      dynamo: emulators.dynamoPort,
      sqs: emulators.sqsPort,
      sandboxes: Object.fromEntries(Object.entries(started).map(([v, sb]) => [v, Number(new URL(sb.url).port)])),
      sandboxUrls: Object.fromEntries(Object.entries(started).map(([v, sb]) => [v, sb.url])),
    });

    let stopped = false;
    const hub: Hub = {
      url: hubUrl,
      port: actualPort,
      dataDir,
      env,
      queues: localQueues,
      subscriptionQueues,
      published: router.counts,
      sandboxes: started,
      dynamoPort: emulators.dynamoPort,
      sqsPort: emulators.sqsPort,
      generated,
      runSchedule,
      schedules: listSchedules,
      queueDepth,
      async subscriptionDepth(id: string, which: 'queue' | 'dlq' = 'queue') {
        const q = subscriptionQueues[id];
        if (!q) throw new Error(`No subscription ${id}`);
        return depthOf(emulators.sqs, q, which);
      },
      redrive,
      async pauseConsumers() {
        if (paused) return;
        paused = true;
        await Promise.all(consumers.map((c) => c.stop()));
      },
      resumeConsumers() {
        if (!paused || stopped) return;
        paused = false;
        consumers = startConsumers();
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        // Stop accepting first, let in-flight requests end, then stop consuming; what is queued is
        // already on disk (fauxqs' SQLite), as it is at every moment.
        await new Promise<void>((r) => server.close(() => r()));
        server.closeAllConnections();
        await Promise.all(consumers.map((c) => c.stop()));
        if (consumerSqs !== emulators.sqs) consumerSqs.destroy();
        for (const stop of stoppers) await stop();
        lock.release();
      },
    };
    return hub;
  } catch (err) {
    for (const stop of stoppers) await stop().catch(() => undefined);
    throw err;
  }
}
