/**
 * The one declaration of every table, queue, secret and function of the hub. The CDK stack
 * (`infra/stack.ts`) and the local runtime (`infra/local/hub.ts`) are both built from it, so what
 * runs on this machine is what runs on AWS. Runtime code never imports this file: functions learn
 * their resources from environment variables (see {@link envForFunction}).
 */

/** A DynamoDB table. Attribute types are strings unless named in `numberAttributes`. */
export interface TableDecl {
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly numberAttributes?: readonly string[];
  readonly indexes?: readonly { readonly name: string; readonly partitionKey: string; readonly sortKey?: string }[];
  /** Attribute holding an epoch-seconds expiry. */
  readonly ttlAttribute?: string;
  readonly description: string;
}

/** An SQS queue; every queue gets a DLQ. */
export interface QueueDecl {
  readonly description: string;
  /** Receives before a message goes to the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /** Source queue retention. @default 4 days */
  readonly retentionDays?: number;
  /** DLQ retention, longer than the source's. @default 14 days */
  readonly dlqRetentionDays?: number;
}

/** A Secrets Manager secret holding a JSON object; each key is also an environment variable name locally. */
export interface SecretDecl {
  readonly description: string;
  /** Keys the hub generates (random tokens) when the secret is created. */
  readonly generatedKeys: readonly string[];
  /** Keys an operator fills in after deploy (vendor credentials). */
  readonly operatorKeys: readonly string[];
}

export interface HttpRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway route path with `{param}` segments. */
  readonly path: string;
}

export type Trigger =
  | { readonly kind: 'http'; readonly routes: readonly HttpRoute[] }
  | {
      readonly kind: 'queue';
      readonly queue: QueueName;
      /** Records per invocation (1-10). */
      readonly batchSize: number;
      /** Concurrent invocations at most (Lambda's SQS maximum concurrency, >= 2). */
      readonly maxConcurrency: number;
      /** Seconds Lambda waits to fill a batch. @default 0 */
      readonly maxBatchingWindowSeconds?: number;
    }
  | { readonly kind: 'schedule'; readonly rateMinutes: number };

/** An alarm on a custom metric of one function. */
export interface AlarmDecl {
  readonly metric: string;
  readonly threshold: number;
  readonly description: string;
  /** `Sum` for counters; `Maximum` for gauges (a level published each run). @default 'Sum' */
  readonly statistic?: 'Sum' | 'Maximum';
  /**
   * Whether no data is an alarm. True for a gauge a schedule must publish: a poller that stopped
   * running must not look healthy. @default false
   */
  readonly missingIsBreaching?: boolean;
}

export interface FunctionDecl {
  /** Path of the handler module from the project root; its export is `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly trigger: Trigger;
  /** @default 30 */
  readonly timeoutSeconds?: number;
  /** @default 512 */
  readonly memoryMb?: number;
  readonly reads?: readonly TableName[];
  readonly writes?: readonly TableName[];
  readonly sends?: readonly QueueName[];
  readonly secrets?: readonly SecretName[];
  /** Plain, non-secret settings. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Custom metrics (namespace Switchboard, dimension service=<function name>) the dashboard graphs. */
  readonly metrics?: readonly string[];
  /** Alarms on custom metrics, over 5 minutes, >= threshold. */
  readonly alarms?: readonly AlarmDecl[];
}

export const tables = {
  'rungopher-results': {
    description: 'Every Rungopher result once, keyed by its id, with the raw JSON it came as.',
    partitionKey: 'id',
    indexes: [
      { name: 'byContact', partitionKey: 'campaignContact', sortKey: 'sortKey' },
      { name: 'byCampaign', partitionKey: 'campaignId', sortKey: 'sortKey' },
      { name: 'byTime', partitionKey: 'timeBucket', sortKey: 'sortKey' },
    ],
  },
  'rungopher-contacts': {
    description: 'Per-contact view: latest value per result name, opt-out, contact details, link clicks.',
    partitionKey: 'campaignContact',
  },
  quarantine: {
    description: 'Authentic webhook bodies that could not be parsed, kept for inspection and replay.',
    partitionKey: 'id',
  },
  cursors: {
    description: 'Poller cursors, one item per vendor endpoint, moved with conditional updates.',
    partitionKey: 'name',
  },
  'goodays-events': {
    description: 'Every Goodays webhook event once per (response id, event type, message id), with its raw body.',
    partitionKey: 'responseId',
    sortKey: 'eventKey',
  },
  'goodays-threads': {
    description: 'One Goodays thread per response id, folded from its events, with the hub\'s handling state.',
    partitionKey: 'responseId',
    indexes: [
      { name: 'byState', partitionKey: 'threadState', sortKey: 'lastEventAt' },
      { name: 'byAwaiting', partitionKey: 'awaiting', sortKey: 'lastEventAt' },
    ],
  },
  'goodays-actions': {
    description: 'Operator actions on Goodays responses (reply, message, call, close, spam), their state, and processing claims.',
    partitionKey: 'actionId',
    indexes: [{ name: 'byResponse', partitionKey: 'responseId', sortKey: 'createdAt' }],
  },
  'goodays-users': {
    description: 'Cache of Goodays user ids by operator e-mail.',
    partitionKey: 'email',
    ttlAttribute: 'expiresAt',
  },
  'netcore-usage': {
    description: 'Netcore monthly usage: month (YYYY-MM) + channel id (or "all"), refreshed by each poll.',
    partitionKey: 'month',
    sortKey: 'channel',
  },
  'netcore-users': {
    description: 'Netcore bot users, one item per user and channel, with details and the transcripts watermark.',
    partitionKey: 'botUserId',
    sortKey: 'channel',
    indexes: [{ name: 'byChannelActivity', partitionKey: 'channel', sortKey: 'activityKey' }],
  },
  'netcore-transcripts': {
    description: 'Netcore messages once each: user + <createdAt>#<channel>#<stable key>, raw item kept.',
    partitionKey: 'botUserId',
    sortKey: 'sortKey',
    indexes: [{ name: 'byUserChannel', partitionKey: 'userChannel', sortKey: 'sortKey' }],
  },
} as const satisfies Record<string, TableDecl>;

export const queues = {
  'rungopher-results': {
    description: 'Rungopher results from the webhook and the poller, waiting to be stored.',
    maxReceiveCount: 5,
  },
  'goodays-events': {
    description: 'Goodays webhook envelopes {requestId, receivedAt, body}, waiting to be stored and folded.',
    maxReceiveCount: 5,
  },
  'goodays-actions': {
    description: 'Operator actions waiting to be sent to Goodays.',
    // GOODAYS_ACTION_MAX_RECEIVES is derived from this.
    maxReceiveCount: 5,
  },
  'netcore-transcripts': {
    description: 'Netcore transcripts jobs, one per user and channel, so one slow user does not hold up the rest.',
    maxReceiveCount: 5,
  },
} as const satisfies Record<string, QueueDecl>;

export const secrets = {
  hub: {
    description: 'Token for the operator API (Authorization: Bearer).',
    generatedKeys: ['HUB_OPERATOR_TOKEN'],
    operatorKeys: [],
  },
  rungopher: {
    description: 'Rungopher webhook path token and API key.',
    generatedKeys: ['RUNGOPHER_WEBHOOK_TOKEN'],
    operatorKeys: ['RUNGOPHER_API_KEY'],
  },
  goodays: {
    description: 'Goodays webhook HMAC secrets (comma-separated, newest first) and Converse API token.',
    generatedKeys: ['GOODAYS_HMAC_SECRETS'],
    operatorKeys: ['GOODAYS_API_TOKEN'],
  },
  netcore: {
    description: 'Netcore Bot Open API app id and secret (login).',
    generatedKeys: [],
    operatorKeys: ['NETCORE_APP_ID', 'NETCORE_APP_SECRET'],
  },
} as const satisfies Record<string, SecretDecl>;

export type TableName = keyof typeof tables;
export type QueueName = keyof typeof queues;
export type SecretName = keyof typeof secrets;

export const functions = {
  health: {
    entry: 'functions/platform/handlers/health.ts',
    description: 'GET /health: liveness without a token.',
    trigger: { kind: 'http', routes: [{ method: 'GET', path: '/health' }] },
    timeoutSeconds: 5,
    memoryMb: 256,
  },
  'rungopher-webhook': {
    entry: 'functions/rungopher/handlers/webhook.ts',
    description: 'Rungopher result webhook: checks the path token, queues the raw body, quarantines bad bodies.',
    trigger: { kind: 'http', routes: [{ method: 'POST', path: '/webhooks/rungopher/{token}' }] },
    timeoutSeconds: 10,
    sends: ['rungopher-results'],
    writes: ['quarantine'],
    secrets: ['rungopher'],
    metrics: ['WebhooksAccepted', 'WebhooksRejected', 'WebhooksQuarantined', 'WebhooksOversized'],
    alarms: [
      { metric: 'WebhooksQuarantined', threshold: 1, description: 'Rungopher sent bodies the hub could not parse; see the quarantine table.' },
      {
        metric: 'WebhooksOversized',
        threshold: 1,
        description: 'Rungopher sent a body over WEBHOOK_MAX_BODY_BYTES: it is answered 413 and resent every 5 minutes; a truncated copy is in the quarantine table.',
      },
    ],
  },
  'rungopher-processor': {
    entry: 'functions/rungopher/handlers/processor.ts',
    description: 'Stores queued Rungopher results once and folds them into the per-contact view.',
    trigger: { kind: 'queue', queue: 'rungopher-results', batchSize: 10, maxConcurrency: 5 },
    timeoutSeconds: 30,
    writes: ['rungopher-results', 'rungopher-contacts', 'quarantine'],
    metrics: ['ResultsStored', 'ResultsDuplicate', 'ResultsQuarantined'],
  },
  'rungopher-poller': {
    entry: 'functions/rungopher/handlers/poller.ts',
    description: 'Polls the 12 Rungopher result endpoints (look-back window, cursor per endpoint) and stores what the webhook missed.',
    trigger: { kind: 'schedule', rateMinutes: 5 },
    timeoutSeconds: 120,
    reads: ['cursors'],
    writes: ['rungopher-results', 'rungopher-contacts', 'quarantine', 'cursors'],
    secrets: ['rungopher'],
    environment: {
      RUNGOPHER_POLL_LOOKBACK_MINUTES: '15',
      RUNGOPHER_POLL_START: '2017-01-01T00:00:00Z',
    },
    metrics: [
      'ResultsFirstSeenByPoller',
      'RungopherResultsPolled',
      'RungopherPolledDuplicates',
      'RungopherPolledQuarantined',
      'RungopherPollVendorUnavailable',
      'RungopherPollCursorConflicts',
    ],
    alarms: [
      {
        metric: 'ResultsFirstSeenByPoller',
        threshold: 10,
        description: 'The poller stored Rungopher results the webhook had not delivered: check the webhook registration and the webhook function.',
      },
      { metric: 'RungopherPolledQuarantined', threshold: 1, description: 'Rungopher result endpoints returned items the hub could not parse; see the quarantine table (stage poller).' },
    ],
  },
  'rungopher-api': {
    entry: 'functions/rungopher/handlers/api.ts',
    description: 'Operator API for Rungopher results and contact views, and view replay.',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/rungopher/results' },
        { method: 'GET', path: '/rungopher/campaigns/{campaignId}/contacts/{contactId}' },
        { method: 'POST', path: '/rungopher/replay' },
      ],
    },
    timeoutSeconds: 30,
    reads: ['rungopher-results', 'rungopher-contacts'],
    // Replay folds stored results into the views again.
    writes: ['rungopher-contacts'],
    secrets: ['hub'],
  },
  'goodays-webhook': {
    entry: 'functions/goodays/handlers/webhook.ts',
    description: 'Goodays Converse webhook: checks X-HMAC-SHA256 on the raw body, queues it, quarantines bad bodies.',
    trigger: { kind: 'http', routes: [{ method: 'POST', path: '/webhooks/goodays' }] },
    timeoutSeconds: 10,
    sends: ['goodays-events'],
    writes: ['quarantine'],
    secrets: ['goodays'],
    metrics: ['GoodaysWebhookQueued', 'GoodaysWebhookQuarantined'],
    alarms: [{ metric: 'GoodaysWebhookQuarantined', threshold: 1, description: 'Goodays sent authentic bodies the hub could not read; see the quarantine table (vendor goodays).' }],
  },
  'goodays-event-processor': {
    entry: 'functions/goodays/handlers/event-processor.ts',
    description: 'Stores Goodays events once (composite key) and refolds each response thread.',
    trigger: { kind: 'queue', queue: 'goodays-events', batchSize: 10, maxConcurrency: 5 },
    timeoutSeconds: 30,
    reads: ['goodays-events', 'goodays-threads'],
    writes: ['goodays-events', 'goodays-threads', 'quarantine'],
    metrics: ['GoodaysEventStored', 'GoodaysEventDuplicate', 'GoodaysEventQuarantined'],
  },
  'goodays-api': {
    entry: 'functions/goodays/handlers/api.ts',
    description: 'Operator API for Goodays threads and actions.',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/goodays/responses' },
        { method: 'GET', path: '/goodays/responses/{id}' },
        { method: 'POST', path: '/goodays/responses/{id}/{action}' },
        { method: 'GET', path: '/goodays/actions/{actionId}' },
        { method: 'POST', path: '/goodays/actions/{actionId}/resolve' },
      ],
    },
    timeoutSeconds: 10,
    reads: ['goodays-threads', 'goodays-actions'],
    writes: ['goodays-threads', 'goodays-actions'],
    sends: ['goodays-actions'],
    secrets: ['hub'],
    metrics: ['GoodaysActionAccepted', 'GoodaysActionReplayed'],
  },
  'goodays-action-processor': {
    entry: 'functions/goodays/handlers/action-processor.ts',
    description: 'Sends operator actions to Goodays: at most once for replies and messages, retries with jitter otherwise.',
    trigger: { kind: 'queue', queue: 'goodays-actions', batchSize: 1, maxConcurrency: 2 },
    timeoutSeconds: 60,
    reads: ['goodays-actions', 'goodays-threads', 'goodays-users'],
    writes: ['goodays-actions', 'goodays-threads', 'goodays-users', 'quarantine'],
    secrets: ['goodays'],
    // The last delivery settles the action instead of leaving it stuck: it must know which one that is.
    environment: { GOODAYS_ACTION_MAX_RECEIVES: String(queues['goodays-actions'].maxReceiveCount) },
    metrics: ['GoodaysAction_succeeded', 'GoodaysAction_failed', 'GoodaysActionRetry', 'GoodaysActionOutcomeUnknown', 'GoodaysActionMessageQuarantined'],
    alarms: [{ metric: 'GoodaysActionOutcomeUnknown', threshold: 1, description: 'A Goodays reply or message may or may not have reached the customer: a person must check Goodays and resolve it (POST /goodays/actions/{id}/resolve).' }],
  },
  'goodays-unprocessed': {
    entry: 'functions/goodays/handlers/unprocessed.ts',
    description: 'Publishes GoodaysUnprocessedResponses: responses waiting longer than GOODAYS_UNPROCESSED_AFTER_MINUTES.',
    trigger: { kind: 'schedule', rateMinutes: 5 },
    timeoutSeconds: 30,
    memoryMb: 256,
    reads: ['goodays-threads'],
    metrics: ['GoodaysUnprocessedResponses', 'GoodaysOldestUnprocessedMinutes'],
    alarms: [{ metric: 'GoodaysUnprocessedResponses', threshold: 1, statistic: 'Maximum', missingIsBreaching: true, description: 'Goodays responses wait for customer service longer than GOODAYS_UNPROCESSED_AFTER_MINUTES (reply rate and processing time are the customer\'s KPIs).' }],
  },
  'netcore-usage-poller': {
    entry: 'functions/netcore/handlers/usage-poller.ts',
    description: 'Refreshes Netcore monthly usage (this month and last), per channel and in total.',
    trigger: { kind: 'schedule', rateMinutes: 60 },
    timeoutSeconds: 60,
    writes: ['netcore-usage'],
    secrets: ['netcore'],
  },
  'netcore-users-poller': {
    entry: 'functions/netcore/handlers/users-poller.ts',
    description: 'Lists Netcore users active since the cursor, stores them with details, queues transcripts jobs.',
    trigger: { kind: 'schedule', rateMinutes: 15 },
    timeoutSeconds: 300,
    reads: ['netcore-users', 'cursors'],
    writes: ['netcore-users', 'cursors'],
    sends: ['netcore-transcripts'],
    metrics: ['NetcoreUsersStored', 'NetcoreTranscriptJobsQueued', 'NetcoreUsersRejected', 'NetcoreUserDetailsFailed'],
    secrets: ['netcore'],
  },
  'netcore-transcripts-worker': {
    entry: 'functions/netcore/handlers/transcripts-worker.ts',
    description: 'Reads one Netcore user+channel transcript window (limit 1000, 3-month clamp) and stores each message once.',
    trigger: { kind: 'queue', queue: 'netcore-transcripts', batchSize: 1, maxConcurrency: 4 },
    timeoutSeconds: 300,
    reads: ['netcore-users'],
    writes: ['netcore-users', 'netcore-transcripts', 'quarantine'],
    metrics: ['NetcoreMessagesStored', 'NetcoreMessagesDuplicate', 'NetcoreMessagesUnknownShape', 'NetcoreTranscriptJobsRefused', 'NetcoreTranscriptJobsQuarantined'],
    alarms: [
      { metric: 'NetcoreTranscriptJobsQuarantined', threshold: 1, description: 'Netcore transcripts jobs the hub could not read; see the quarantine table (vendor netcore, stage processor).' },
      { metric: 'NetcoreTranscriptJobsRefused', threshold: 1, description: "Netcore refused transcripts requests (4xx); those users' transcripts wait for their next activity." },
    ],
    sends: ['netcore-transcripts'],
    secrets: ['netcore'],
  },
  'netcore-api': {
    entry: 'functions/netcore/handlers/api.ts',
    description: 'Operator read API for Netcore users, details, transcripts and usage.',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/netcore/users' },
        { method: 'GET', path: '/netcore/users/{botUserId}' },
        { method: 'GET', path: '/netcore/users/{botUserId}/transcripts' },
        { method: 'GET', path: '/netcore/usage' },
      ],
    },
    timeoutSeconds: 10,
    reads: ['netcore-users', 'netcore-transcripts', 'netcore-usage'],
    secrets: ['hub'],
  },
} as const satisfies Record<string, FunctionDecl>;

export type FunctionName = keyof typeof functions;

/** Environment variable naming a table, e.g. `TABLE_RUNGOPHER_RESULTS`. */
export const tableEnv = (name: TableName): string => `TABLE_${envKey(name)}`;
/** Environment variable naming a queue URL, e.g. `QUEUE_RUNGOPHER_RESULTS_URL`. */
export const queueEnv = (name: QueueName): string => `QUEUE_${envKey(name)}_URL`;
/** Environment variable naming a secret's ARN, e.g. `SECRET_RUNGOPHER_ARN`. */
export const secretEnv = (name: SecretName): string => `SECRET_${envKey(name)}_ARN`;

function envKey(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Every function declaration with its name, as a list. */
export function functionList(): (FunctionDecl & { readonly name: FunctionName })[] {
  return Object.entries(functions).map(([name, decl]) => ({ ...(decl as FunctionDecl), name: name as FunctionName }));
}

/** Tables a function touches, read or write. */
export function tablesOf(fn: FunctionDecl): TableName[] {
  return [...new Set([...(fn.reads ?? []), ...(fn.writes ?? [])])];
}

/**
 * The resource environment of one function, given how each runtime names resources. The CDK stack
 * passes tokens, the local runtime real names and URLs.
 */
export function envForFunction(
  fn: FunctionDecl,
  resolve: { table: (n: TableName) => string; queueUrl: (n: QueueName) => string; secretArn: (n: SecretName) => string },
): Record<string, string> {
  const env: Record<string, string> = { ...fn.environment };
  for (const t of tablesOf(fn)) env[tableEnv(t)] = resolve.table(t);
  for (const q of fn.sends ?? []) env[queueEnv(q)] = resolve.queueUrl(q);
  if (fn.trigger.kind === 'queue') env[queueEnv(fn.trigger.queue)] = resolve.queueUrl(fn.trigger.queue);
  for (const s of fn.secrets ?? []) env[secretEnv(s)] = resolve.secretArn(s);
  return env;
}

/** Visibility timeout for a queue: 6x its consumer's timeout (AWS guidance for SQS event sources). */
export function visibilityTimeoutSeconds(queue: QueueName): number {
  const consumer = functionList().find((f) => f.trigger.kind === 'queue' && f.trigger.queue === queue);
  return 6 * (consumer?.timeoutSeconds ?? 30);
}
