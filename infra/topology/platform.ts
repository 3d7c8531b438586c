import type { FunctionDecl, QueueDecl, SecretDecl, TableDecl } from './types.ts';

/** What every vendor uses: the quarantine, the poller cursors, the operator token and the health check. */
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
  runs: {
    description: "What GET /status shows: each schedule's last run and outcome, and each vendor's last accepted webhook (written at most once a minute).",
    partitionKey: 'name',
  },
  audit: {
    description: 'Operator changes to poller streams (reset, backfill): who, when, from and to, newest last per stream.',
    partitionKey: 'stream',
    sortKey: 'at',
  },
} as const satisfies Record<string, TableDecl>;

export const queues = {} as const satisfies Record<string, QueueDecl>;

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
    metrics: ['QuarantineRetried', 'DlqRedriven', 'StreamMoved'],
  },
} as const satisfies Record<string, FunctionDecl>;

/**
 * Metrics the platform's queue consumer (`functions/platform/batch.ts`) emits for every
 * queue-triggered function, whatever its own declaration lists: `RecordsFailed` counts records that
 * failed for a real reason (not hand-backs).
 */
export const queueConsumerMetrics = ['RecordsFailed'] as const;
