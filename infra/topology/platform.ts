import type { FunctionDecl, QueueDecl, SecretDecl, TableDecl } from './types.ts';

/** What every vendor uses: the quarantine, the poller cursors, the operator token and the health check. */
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
} as const satisfies Record<string, TableDecl>;

export const queues = {} as const satisfies Record<string, QueueDecl>;


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
} as const satisfies Record<string, FunctionDecl>;

/**
 * Metrics the platform's queue consumer (`functions/platform/batch.ts`) emits for every
 * queue-triggered function, whatever its own declaration lists: `RecordsFailed` counts records that
 * failed for a real reason (not hand-backs).
 */
export const queueConsumerMetrics = ['RecordsFailed'] as const;
