import type { EventDecl, FunctionDecl, QueueDecl, SecretDecl, TableDecl } from './types.ts';

/**
 * Rungopher (SMS campaigns and journeys): results arrive by webhook and are polled as a safety net,
 * stored once and folded into a per-contact view.
 */
export const name = 'rungopher';
/** How people write the vendor's name (logs, the stack description, `npm start`). */
export const title = 'Rungopher';

export const tables = {
  'rungopher-results': {
    ttlAttribute: 'expiresAt',
    retention: 'RAW_BODIES',
    description: 'Every Rungopher result once, keyed by its id, with the raw JSON it came as.',
    partitionKey: 'id',
    indexes: [
      { name: 'byContact', partitionKey: 'campaignContact', sortKey: 'sortKey' },
      // Rows written before the campaign shards (they carry `campaignId`); read, never written again.
      { name: 'byCampaign', partitionKey: 'campaignId', sortKey: 'sortKey' },
      // A campaign's rows over CAMPAIGN_SHARDS partition key values (`campaignShard`): one large
      // campaign is not held to one partition's 1,000 writes a second.
      { name: 'byCampaignShard', partitionKey: 'campaignShard', sortKey: 'sortKey' },
      { name: 'byTime', partitionKey: 'timeBucket', sortKey: 'sortKey' },
    ],
  },
  'rungopher-contacts': {
    description: 'Per-contact view: latest value per result name, opt-out, contact details, link clicks.',
    partitionKey: 'campaignContact',
  },
  'rungopher-uploads': {
    description: 'Contact upload jobs (the job, its contacts in chunks, each batch outcome) and the journal: one claim per contact sent, so no contact is started twice.',
    partitionKey: 'pk',
    sortKey: 'sk',
  },
} as const satisfies Record<string, TableDecl>;

export const queues = {
  'rungopher-results': {
    consumer: 'rungopher-processor',
    description: 'Rungopher results from the webhook and the poller, waiting to be stored; and the webhook\'s quarantine notices, to be announced.',
    maxReceiveCount: 5,
  },
  'rungopher-uploads': {
    consumer: 'rungopher-uploader',
    description: 'Contact upload jobs to run (or continue), one message per job run.',
    maxReceiveCount: 5,
  },
} as const satisfies Record<string, QueueDecl>;

export const secrets = {
  rungopher: {
    description: 'Rungopher webhook path token and API key.',
    generatedKeys: ['RUNGOPHER_WEBHOOK_TOKEN'],
    operatorKeys: ['RUNGOPHER_API_KEY'],
  },
} as const satisfies Record<string, SecretDecl>;

export const functions = {
  'rungopher-webhook': {
    apiDoc: 'functions/rungopher/adapters/api-doc.ts',
    entry: 'functions/rungopher/handlers/webhook.ts',
    description: 'Rungopher result webhook: checks the path token, queues the raw body, quarantines bad bodies.',
    trigger: { kind: 'http', routes: [{ method: 'POST', path: '/webhooks/rungopher/{token}' }] },
    timeoutSeconds: 10,
    sends: ['rungopher-results'],
    // runs: when the last webhook was accepted (GET /status).
    writes: ['quarantine', 'runs'],
    secrets: ['rungopher'],
    publishes: ['hub.quarantined'],
    // Announced by the queue's consumer (the webhook sends the notice there, see platform/webhook.ts).
    publishesThrough: 'rungopher-results',
    metrics: ['WebhooksAccepted', 'WebhooksRejected', 'WebhooksQuarantined', 'WebhooksOversized'],
    alarms: [
      { metric: 'WebhooksQuarantined', threshold: 1, description: 'Rungopher sent bodies the hub could not parse; see GET /quarantine.' },
      {
        metric: 'WebhooksAccepted',
        threshold: 1,
        quiet: { minutesSetting: 'RUNGOPHER_QUIET_MINUTES', defaultMinutes: 360 },
        description: 'Rungopher sent no webhook for RUNGOPHER_QUIET_MINUTES: check the webhook registration in Rungopher and GET /status.',
      },
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
    writes: ['rungopher-results', 'rungopher-contacts', 'quarantine', 'customer-index'],
    publishes: ['rungopher.result.stored', 'rungopher.contact.updated', 'hub.quarantined'],
    reads: ['customer-erasures'],
    secrets: ['customers'],
    metrics: ['ResultsStored', 'ResultsDuplicate', 'ResultsQuarantined'],
  },
  'rungopher-poller': {
    entry: 'functions/rungopher/handlers/poller.ts',
    description: 'Polls the 12 Rungopher result endpoints (look-back window, cursor per endpoint) and stores what the webhook missed.',
    trigger: { kind: 'schedule', rateMinutes: 5 },
    timeoutSeconds: 120,
    reads: ['cursors', 'customer-erasures'],
    writes: ['rungopher-results', 'rungopher-contacts', 'quarantine', 'cursors', 'runs', 'customer-index'],
    secrets: ['rungopher', 'customers'],
    streams: [{ prefix: 'rungopher:results:', positionField: 'mark', description: 'One per result endpoint: the newest result time handled (the poller reads from it minus the look-back).' }],
    publishes: ['rungopher.result.stored', 'rungopher.contact.updated', 'hub.quarantined'],
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
    apiDoc: 'functions/rungopher/adapters/api-doc.ts',
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
  'rungopher-campaigns': {
    entry: 'functions/rungopher/handlers/campaigns.ts',
    description: "Operator API for Rungopher campaign work with the hub's API key: templates, campaigns, contact upload jobs, journey update, cost estimate.",
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/rungopher/templates' },
        { method: 'GET', path: '/rungopher/campaigns' },
        { method: 'POST', path: '/rungopher/campaigns' },
        { method: 'GET', path: '/rungopher/campaigns/{campaignId}' },
        { method: 'PUT', path: '/rungopher/campaigns/{campaignId}' },
        { method: 'POST', path: '/rungopher/campaigns/{campaignId}/estimate' },
        { method: 'POST', path: '/rungopher/campaigns/{campaignId}/uploads' },
        { method: 'GET', path: '/rungopher/uploads/{jobId}' },
        { method: 'PUT', path: '/rungopher/journeys/{journeyId}/contacts/{mobile}' },
      ],
    },
    timeoutSeconds: 29,
    memoryMb: 1024,
    reads: ['rungopher-uploads'],
    writes: ['rungopher-uploads'],
    sends: ['rungopher-uploads'],
    secrets: ['hub', 'rungopher'],
    apiDoc: 'functions/rungopher/adapters/campaign-api-doc.ts',
  },
  'rungopher-uploader': {
    entry: 'functions/rungopher/handlers/uploader.ts',
    description: 'Runs contact upload jobs: claims each contact in the journal, sends batches of up to 30,000 to Rungopher, records each outcome.',
    trigger: { kind: 'queue', queue: 'rungopher-uploads', batchSize: 1, maxConcurrency: 2 },
    timeoutSeconds: 600,
    memoryMb: 1024,
    reads: ['rungopher-uploads', 'customer-erasures'],
    writes: ['rungopher-uploads', 'quarantine', 'customer-index'],
    sends: ['rungopher-uploads'],
    secrets: ['rungopher', 'customers'],
    metrics: ['RungopherUploadJobsDone', 'RungopherUploadJobsFailed', 'RungopherUploadMessageQuarantined'],
    alarms: [
      { metric: 'RungopherUploadJobsFailed', threshold: 1, description: 'A Rungopher contact upload stopped at a refused or unknown batch; GET /rungopher/uploads/{jobId} shows which.' },
      { metric: 'RungopherUploadMessageQuarantined', threshold: 1, description: 'The rungopher-uploads queue held a message that is not an upload job; see the quarantine table.' },
    ],
  },
} as const satisfies Record<string, FunctionDecl>;

export const events = {
  'rungopher.result.stored': { version: 1, description: 'A Rungopher result was stored (once per result id; from the webhook or the poller).' },
  'rungopher.contact.updated': { version: 1, description: "A stored result changed its contact's view: the slots it raised (latest value per result name, contact details, link clicks)." },
} as const satisfies Record<string, EventDecl>;

export const eventModule = 'functions/rungopher/domain/outbound.ts';
