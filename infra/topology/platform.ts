import type { EventDecl, FunctionDecl, QueueDecl, SecretDecl, TableDecl } from './types.ts';

/**
 * What every vendor uses: the quarantine, the poller cursors, the operator token, the health check,
 * and outbound: the delivery of every event to each subscription as signed webhooks.
 */
export const name = 'platform';
export const title = 'Platform';

export const tables = {
  quarantine: {
    ttlAttribute: 'expiresAt',
    retention: 'QUARANTINE',
    description: 'Authentic webhook bodies that could not be parsed, kept for inspection and replay.',
    partitionKey: 'id',
  },
  cursors: {
    description: 'Poller cursors, one item per vendor endpoint, moved with conditional updates.',
    partitionKey: 'name',
  },
  runs: {
    description: "What GET /status shows: each schedule's last run and outcome, and each vendor's last accepted webhook (written at most once a minute).",
    partitionKey: 'name',
  },
  audit: {
    description: 'Operator changes to poller streams (reset, backfill): who, when, from and to, newest last per stream.',
    partitionKey: 'stream',
    sortKey: 'at',
  },
  'outbound-deliveries': {
    description: 'Outbound webhook deliveries: one item per subscription and event (state, attempts, last status), and one summary per subscription.',
    partitionKey: 'subscriptionId',
    sortKey: 'eventId',
    // Every delivery of one record (the event's subject), for erasure.
    indexes: [{ name: 'bySubject', partitionKey: 'subject' }],
    ttlAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableDecl>;

export const queues = {} as const satisfies Record<string, QueueDecl>;

/**
 * Every subscription's delivery queue (made per subscription, not declared by name). 18 receives with
 * the delivery function's back-off (60 s doubling to 6 h, equal jitter: at least half of each step)
 * keep an event retried for at least 28 h before the DLQ; the DLQ keeps it 14 days.
 */
export const SUBSCRIPTION_QUEUE = {
  description: 'Events waiting for delivery to one subscription.',
  consumer: 'outbound-delivery',
  maxReceiveCount: 18,
  retentionDays: 4,
  dlqRetentionDays: 14,
} as const satisfies QueueDecl;

export const secrets = {
  hub: {
    description: 'Token for the operator API (Authorization: Bearer).',
    generatedKeys: ['HUB_OPERATOR_TOKEN'],
    operatorKeys: [],
  },
  customers: {
    description: 'Key of the keyed hash (HMAC-SHA256) the erasure audit and the suppression list keep instead of an identifier.',
    generatedKeys: ['CUSTOMER_HASH_KEY'],
    operatorKeys: [],
  },
} as const satisfies Record<string, SecretDecl>;

export const functions = {
  health: {
    entry: 'functions/platform/handlers/health.ts',
    description: 'GET /health: liveness without a token.',
    trigger: { kind: 'http', routes: [{ method: 'GET', path: '/health' }] },
    timeoutSeconds: 5,
    memoryMb: 256,
    apiDoc: 'functions/platform/routes-doc.ts',
  },
  'static-assets': {
    entry: 'functions/platform/handlers/static-assets.ts',
    description: 'GET /openapi.json, GET /docs and GET /console (the operator console) without a token; 404 problem documents for every route no function declares.',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/openapi.json' },
        { method: 'GET', path: '/docs' },
        { method: 'GET', path: '/docs/{asset}' },
        { method: 'GET', path: '/console' },
        { method: 'GET', path: '/console/{asset}' },
      ],
      catchAll: true,
    },
    timeoutSeconds: 5,
    memoryMb: 256,
    apiDoc: 'functions/platform/routes-doc.ts',
    staticAssets: true,
  },
  operator: {
    entry: 'functions/platform/handlers/operator.ts',
    description: 'Operator routes of the hub itself: status, quarantine (list, get, retry), queues and DLQs (depth, redrive), poller streams (list, reset, backfill, audit).',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/status' },
        { method: 'GET', path: '/quarantine' },
        { method: 'GET', path: '/quarantine/{id}' },
        { method: 'POST', path: '/quarantine/{id}/retry' },
        { method: 'GET', path: '/queues' },
        { method: 'POST', path: '/queues/{queue}/redrive' },
        { method: 'GET', path: '/streams' },
        { method: 'GET', path: '/streams/{stream}' },
        { method: 'POST', path: '/streams/{stream}/reset' },
        { method: 'POST', path: '/streams/{stream}/backfill' },
      ],
    },
    timeoutSeconds: 29,
    reads: ['quarantine', 'runs', 'cursors', 'audit'],
    // quarantine: a retried entry is marked; cursors and audit: stream resets and their records.
    writes: ['quarantine', 'cursors', 'audit'],
    // Every declared queue: its depths and redrive, and (sends) a quarantined body retried on it.
    operatesQueues: 'all',
    secrets: ['hub'],
    apiDoc: 'functions/platform/operator-doc.ts',
    // Every table's attention index (Query on the index only): the items waiting for a person.
    countsAttention: true,
    metrics: ['QuarantineRetried', 'DlqRedriven', 'StreamMoved'],
  },
  'outbound-delivery': {
    entry: 'functions/platform/handlers/outbound-delivery.ts',
    description: 'Delivers events to subscriptions as Standard Webhooks (signed); retries on 408/429/5xx/timeouts with jittered back-off through SQS visibility, other 4xx to the DLQ at once.',
    trigger: { kind: 'subscriptions', batchSize: 10, maxConcurrency: 2 },
    // Two rounds of 5 deliveries, each to the 15 s POST timeout plus 2 s of writes, before the 3 s
    // reserve: a batch of 10 slow subscribers is all attempted, none handed back untouched (which
    // would spend a receive of its 18 without an attempt).
    timeoutSeconds: 45,
    memoryMb: 256,
    writes: ['outbound-deliveries', 'quarantine'],
    // The last receive keeps a failing event in the DLQ: it must know which one that is.
    environment: { OUTBOUND_MAX_RECEIVES: String(SUBSCRIPTION_QUEUE.maxReceiveCount) },
    metrics: ['RecordsFailed', 'WebhookDelivered', 'WebhookRetried', 'WebhookRejected', 'WebhookDeadLettered', 'OutboundMessageQuarantined'],
    alarms: [{ metric: 'WebhookRejected', threshold: 1, description: 'A subscriber answered a 4xx other than 408/429: the event is in its DLQ; fix the subscriber, then redrive (POST /subscriptions/{id}/redrive).' }],
  },
  'outbound-api': {
    entry: 'functions/platform/handlers/outbound-api.ts',
    description: 'Operator API of subscriptions: state, last success and failure, DLQ depth; DLQ redrive.',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/subscriptions' },
        { method: 'POST', path: '/subscriptions/{id}/redrive' },
      ],
    },
    timeoutSeconds: 30,
    memoryMb: 256,
    reads: ['outbound-deliveries'],
    operatesSubscriptions: true,
    secrets: ['hub'],
    apiDoc: 'functions/platform/outbound-doc.ts',
  },
} as const satisfies Record<string, FunctionDecl>;

export const events = {
  'hub.quarantined': { version: 1, description: 'A body the hub accepted but could not use was kept in the quarantine table (ids, vendor, stage, reason; never the body).' },
} as const satisfies Record<string, EventDecl>;

export const eventModule = 'functions/platform/outbound/hub-events.ts';

/**
 * Metrics the platform's queue consumer (`functions/platform/batch.ts`) emits for every
 * queue-triggered function, whatever its own declaration lists: `RecordsFailed` counts records that
 * failed for a real reason (not hand-backs).
 */
export const queueConsumerMetrics = ['RecordsFailed'] as const;
