import type { EventDecl, FunctionDecl, QueueDecl, SecretDecl, TableDecl } from './types.ts';

/**
 * Netcore (Bot Open API): users, transcripts and monthly usage, all polled; one transcripts job per
 * user and channel.
 */
export const name = 'netcore';
/** How people write the vendor's name (logs, the stack description, `npm start`). */
export const title = 'Netcore';

export const tables = {
  'netcore-usage': {
    personalData: false,
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
    ttlAttribute: 'expiresAt',
    retention: 'NETCORE_TRANSCRIPTS',
    description: 'Netcore messages once each: user + <createdAt>#<channel>#<stable key>, raw item kept.',
    partitionKey: 'botUserId',
    sortKey: 'sortKey',
    indexes: [{ name: 'byUserChannel', partitionKey: 'userChannel', sortKey: 'sortKey' }],
  },
} as const satisfies Record<string, TableDecl>;

export const queues = {
  'netcore-transcripts': {
    consumer: 'netcore-transcripts-worker',
    description: 'Netcore transcripts jobs, one per user and channel, so one slow user does not hold up the rest.',
    maxReceiveCount: 5,
  },
} as const satisfies Record<string, QueueDecl>;

export const secrets = {
  netcore: {
    description: 'Netcore Bot Open API app id and secret (login).',
    generatedKeys: [],
    operatorKeys: ['NETCORE_APP_ID', 'NETCORE_APP_SECRET'],
  },
} as const satisfies Record<string, SecretDecl>;

export const functions = {
  'netcore-usage-poller': {
    entry: 'functions/netcore/handlers/usage-poller.ts',
    description: 'Refreshes Netcore monthly usage (this month and last), per channel and in total.',
    trigger: { kind: 'schedule', rateMinutes: 60 },
    timeoutSeconds: 60,
    // runs: each schedule's last run and outcome (GET /status).
    writes: ['netcore-usage', 'runs'],
    secrets: ['netcore'],
    metrics: ['NetcoreUsageStored'],
  },
  'netcore-users-poller': {
    entry: 'functions/netcore/handlers/users-poller.ts',
    description: 'Lists Netcore users active since the cursor, stores them with details, queues transcripts jobs.',
    trigger: { kind: 'schedule', rateMinutes: 15 },
    timeoutSeconds: 300,
    reads: ['netcore-users', 'cursors', 'customer-erasures'],
    writes: ['netcore-users', 'cursors', 'runs', 'customer-index'],
    sends: ['netcore-transcripts'],
    publishes: ['netcore.user.updated'],
    metrics: ['NetcoreUsersStored', 'NetcoreTranscriptJobsQueued', 'NetcoreUsersRejected', 'NetcoreUserDetailsFailed'],
    alarms: [
      {
        metric: 'NetcoreUsersStored',
        threshold: 1,
        quiet: { minutesSetting: 'NETCORE_QUIET_MINUTES', defaultMinutes: 1440 },
        description: 'The Netcore users poller found no new activity for NETCORE_QUIET_MINUTES: check GET /status (its last runs) and the Netcore app credentials.',
      },
    ],
    secrets: ['netcore', 'customers'],
    streams: [{ prefix: 'netcore:users', positionField: 'since', description: 'Users active since this time are read next.' }],
  },
  'netcore-transcripts-worker': {
    entry: 'functions/netcore/handlers/transcripts-worker.ts',
    description: 'Reads one Netcore user+channel transcript window (limit 1000, 3-month clamp) and stores each message once.',
    trigger: { kind: 'queue', queue: 'netcore-transcripts', batchSize: 1, maxConcurrency: 4 },
    timeoutSeconds: 300,
    reads: ['netcore-users', 'customer-erasures'],
    writes: ['netcore-users', 'netcore-transcripts', 'quarantine', 'customer-index'],
    publishes: ['netcore.messages.stored', 'hub.quarantined'],
    metrics: ['NetcoreMessagesStored', 'NetcoreMessagesDuplicate', 'NetcoreMessagesUnknownShape', 'NetcoreMessagesQuarantined', 'NetcoreTranscriptJobsRefused', 'NetcoreTranscriptJobsQuarantined'],
    alarms: [
      { metric: 'NetcoreTranscriptJobsQuarantined', threshold: 1, description: 'Netcore transcripts jobs the hub could not read; see the quarantine table (vendor netcore, stage processor).' },
      { metric: 'NetcoreTranscriptJobsRefused', threshold: 1, description: "Netcore refused transcripts requests (4xx); those users' transcripts wait for their next activity." },
    ],
    sends: ['netcore-transcripts'],
    secrets: ['netcore', 'customers'],
  },
  'netcore-api': {
    apiDoc: 'functions/netcore/adapters/api-doc.ts',
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

export const events = {
  'netcore.user.updated': { version: 1, description: 'A Netcore user was stored with newer activity or details (one event per user and channel).' },
  'netcore.messages.stored': { version: 1, description: "A batch of a Netcore user's messages on one channel was stored (one event per page read by a transcripts job)." },
} as const satisfies Record<string, EventDecl>;

export const eventModule = 'functions/netcore/domain/outbound.ts';
