import type { EventDecl, FunctionDecl, QueueDecl, SecretDecl, TableDecl } from './types.ts';

/**
 * What every vendor uses: the quarantine, the poller cursors, the operator token, the health check,
 * and outbound: the delivery of every event to each subscription as signed webhooks.
 */
export const name = 'platform';
export const title = 'Platform';

export const tables = {
  quarantine: {
    description: 'Authentic webhook bodies that could not be parsed, kept for inspection and replay.',
    partitionKey: 'id',
  },
  cursors: {
    description: 'Poller cursors, one item per vendor endpoint, moved with conditional updates.',
    partitionKey: 'name',
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
} as const satisfies Record<string, SecretDecl>;

export const functions = {
  health: {
    entry: 'functions/platform/handlers/health.ts',
    description: 'GET /health: liveness without a token.',
    trigger: { kind: 'http', routes: [{ method: 'GET', path: '/health' }] },
    timeoutSeconds: 5,
    memoryMb: 256,
  },
  console: {
    entry: 'functions/console/handlers/assets.ts',
    description: 'GET /console: the operator console (a page and its hashed files, no token; the page calls the operator API).',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/console' },
        { method: 'GET', path: '/console/{asset}' },
      ],
    },
    timeoutSeconds: 5,
    memoryMb: 256,
  },
  'outbound-delivery': {
    entry: 'functions/platform/handlers/outbound-delivery.ts',
    description: 'Delivers events to subscriptions as Standard Webhooks (signed); retries on 408/429/5xx/timeouts with jittered back-off through SQS visibility, other 4xx to the DLQ at once.',
    trigger: { kind: 'subscriptions', batchSize: 1, maxConcurrency: 2 },
    timeoutSeconds: 30,
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
