import type { EventDecl, FunctionDecl, QueueDecl, SecretDecl, TableDecl } from './types.ts';

/**
 * Goodays (Converse customer feedback): signed webhook events folded into one thread per response,
 * and operator actions (replies, messages, calls, close, spam) sent back at most once.
 */
export const name = 'goodays';
/** How people write the vendor's name (logs, the stack description, `npm start`). */
export const title = 'Goodays';

export const tables = {
  'goodays-events': {
    ttlAttribute: 'expiresAt',
    retention: 'GOODAYS_EVENTS',
    description: 'Every Goodays webhook event once per (response id, event type, message id), with its raw body.',
    partitionKey: 'responseId',
    sortKey: 'eventKey',
  },
  'goodays-threads': {
    ttlAttribute: 'expiresAt',
    retention: 'GOODAYS_EVENTS',
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
    indexes: [
      { name: 'byResponse', partitionKey: 'responseId', sortKey: 'createdAt' },
      // Sparse: only actions whose outcome is unknown carry `attention` (see functions/goodays/domain/attention.ts).
      {
        name: 'byAttention',
        partitionKey: 'attention',
        sortKey: 'attentionSince',
        projection: 'keys',
        attention: {
          reason: 'outcome-unknown',
          description: 'Goodays replies or messages that may or may not have reached the customer: check in Goodays, then POST /goodays/actions/{actionId}/resolve.',
        },
      },
    ],
  },
  'goodays-users': {
    personalData: false,
    description: 'Cache of Goodays user ids by operator e-mail.',
    partitionKey: 'email',
    ttlAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableDecl>;

export const queues = {
  'goodays-events': {
    consumer: 'goodays-event-processor',
    description: 'Goodays webhook envelopes {requestId, receivedAt, body}, waiting to be stored and folded; and the webhook\'s quarantine notices, to be announced.',
    maxReceiveCount: 5,
  },
  'goodays-actions': {
    consumer: 'goodays-action-processor',
    description: 'Operator actions waiting to be sent to Goodays.',
    // GOODAYS_ACTION_MAX_RECEIVES is derived from this.
    maxReceiveCount: 5,
  },
} as const satisfies Record<string, QueueDecl>;

export const secrets = {
  goodays: {
    description: 'Goodays webhook HMAC secrets (comma-separated, newest first) and Converse API token.',
    generatedKeys: ['GOODAYS_HMAC_SECRETS'],
    operatorKeys: ['GOODAYS_API_TOKEN'],
  },
} as const satisfies Record<string, SecretDecl>;

export const functions = {
  'goodays-webhook': {
    apiDoc: 'functions/goodays/adapters/api-doc.ts',
    entry: 'functions/goodays/handlers/webhook.ts',
    description: 'Goodays Converse webhook: checks X-HMAC-SHA256 on the raw body, queues it, quarantines bad bodies.',
    trigger: { kind: 'http', routes: [{ method: 'POST', path: '/webhooks/goodays' }] },
    timeoutSeconds: 10,
    sends: ['goodays-events'],
    // runs: when the last webhook was accepted (GET /status).
    writes: ['quarantine', 'runs'],
    secrets: ['goodays'],
    publishes: ['hub.quarantined'],
    // Announced by the queue's consumer (the webhook sends the notice there, see platform/webhook.ts).
    publishesThrough: 'goodays-events',
    metrics: ['GoodaysWebhookQueued', 'GoodaysWebhookQuarantined'],
    alarms: [
      { metric: 'GoodaysWebhookQuarantined', threshold: 1, description: 'Goodays sent authentic bodies the hub could not read; see GET /quarantine (vendor goodays).' },
      {
        metric: 'GoodaysWebhookQueued',
        threshold: 1,
        quiet: { minutesSetting: 'GOODAYS_QUIET_MINUTES', defaultMinutes: 720 },
        description: 'Goodays sent no webhook for GOODAYS_QUIET_MINUTES: check the webhook and its secret in Goodays and GET /status.',
      },
    ],
  },
  'goodays-event-processor': {
    entry: 'functions/goodays/handlers/event-processor.ts',
    description: 'Stores Goodays events once (composite key) and refolds each response thread.',
    trigger: { kind: 'queue', queue: 'goodays-events', batchSize: 10, maxConcurrency: 5 },
    timeoutSeconds: 30,
    reads: ['goodays-events', 'goodays-threads', 'customer-erasures'],
    writes: ['goodays-events', 'goodays-threads', 'quarantine', 'customer-index'],
    publishes: ['goodays.thread.updated', 'hub.quarantined'],
    secrets: ['customers'],
    metrics: ['GoodaysEventStored', 'GoodaysEventDuplicate', 'GoodaysEventQuarantined'],
  },
  'goodays-api': {
    apiDoc: 'functions/goodays/adapters/api-doc.ts',
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
    publishes: ['goodays.action.settled'],
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
    publishes: ['goodays.action.settled', 'hub.quarantined'],
    // The last delivery settles the action instead of leaving it stuck: it must know which one that is.
    environment: { GOODAYS_ACTION_MAX_RECEIVES: String(queues['goodays-actions'].maxReceiveCount) },
    metrics: ['GoodaysAction_succeeded', 'GoodaysAction_failed', 'GoodaysActionRetry', 'GoodaysActionOutcomeUnknown', 'GoodaysActionMessageQuarantined', 'GoodaysActionDuplicateDelivery'],
    alarms: [{ metric: 'GoodaysActionOutcomeUnknown', threshold: 1, description: 'A Goodays reply or message may or may not have reached the customer: a person must check Goodays and resolve it (POST /goodays/actions/{id}/resolve).' }],
  },
  'goodays-unprocessed': {
    entry: 'functions/goodays/handlers/unprocessed.ts',
    description: 'Publishes GoodaysUnprocessedResponses: responses waiting longer than GOODAYS_UNPROCESSED_AFTER_MINUTES.',
    trigger: { kind: 'schedule', rateMinutes: 5 },
    timeoutSeconds: 30,
    memoryMb: 256,
    reads: ['goodays-threads'],
    // runs: this schedule's last run and outcome (GET /status).
    writes: ['runs'],
    metrics: ['GoodaysUnprocessedResponses', 'GoodaysOldestUnprocessedMinutes'],
    alarms: [{ metric: 'GoodaysUnprocessedResponses', threshold: 1, statistic: 'Maximum', missingIsBreaching: true, description: 'Goodays responses wait for customer service longer than GOODAYS_UNPROCESSED_AFTER_MINUTES (reply rate and processing time are the customer\'s KPIs).' }],
  },
} as const satisfies Record<string, FunctionDecl>;

export const events = {
  'goodays.thread.updated': { version: 1, description: 'A Goodays thread changed after a webhook event was stored (the whole thread, its state and what it awaits).' },
  'goodays.action.settled': { version: 1, description: "An operator action on a Goodays response reached an outcome: sent, failed, unknown, or resolved by an operator." },
} as const satisfies Record<string, EventDecl>;

export const eventModule = 'functions/goodays/domain/outbound.ts';
