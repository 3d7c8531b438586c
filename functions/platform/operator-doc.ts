import type { ApiDoc } from './api-doc.ts';
import { INTERNAL, INVALID, UNAUTHORIZED } from './api-doc.ts';
import { pageSchema } from './list-page.ts';
import { AuditRecordView, OperatorHeader, QuarantineDetail, QuarantineQuery, QuarantineSummary, QueueDepthView, RedriveView, RetryOutcomeView, StatusView, StreamDetailView, StreamMove, StreamView } from './operator-views.ts';

/** The operator function's routes for the OpenAPI document (`infra/openapi/`); no handler imports this. */

const TAG = 'Platform';
const WHO = { 'X-Operator': { description: "Who is acting (1-128 visible characters), kept with the change; else the token's label, `operator`.", schema: OperatorHeader } };
const QUARANTINE_ID = { id: { description: 'The quarantine id: `vendor#stage#sha256` of the body (URL-encode the `#`: `%23`).', example: 'acme%23webhook%233f1c0d…' } };
const STREAM = { stream: { description: 'A stream name as GET /streams lists it.', example: 'acme:items' } };
const QUEUE = { queue: { description: 'A declared queue (GET /queues lists them).', example: 'acme-events' } };

export const routes: ApiDoc = {
  'GET /status': {
    summary: 'What the hub is doing: last webhooks, schedule runs, queue and DLQ depths, quarantine, items waiting for a person, poller streams',
    description:
      "Per vendor the last accepted webhook (to the minute), each schedule's last run, outcome and figures (a schedule that counts waiting work reports it here, e.g. `count` and `oldestMinutes` of unprocessed responses), every queue's and DLQ's depth, the quarantine count, what waits for a person (`attention`: per sparse index a table declares, e.g. vendor actions whose outcome is unknown, the count and since when the oldest has waited; counted with an index query, never a scan), and each poller stream's position.",
    tag: TAG,
    responses: { 200: { description: 'The status.', schema: StatusView }, 401: UNAUTHORIZED, 500: INTERNAL },
  },
  'GET /quarantine': {
    summary: 'Quarantined bodies (authentic but unreadable or unstorable), without their bodies',
    tag: TAG,
    query: QuarantineQuery,
    responses: { 200: { description: 'A page.', schema: pageSchema(QuarantineSummary, 'QuarantinePage') }, 400: INVALID, 401: UNAUTHORIZED, 500: INTERNAL },
  },
  'GET /quarantine/{id}': {
    summary: 'One quarantined body',
    description: 'The body is shown as a JSON string (escaped; never markup), base64 when its bytes are not UTF-8.',
    tag: TAG,
    path: QUARANTINE_ID,
    responses: { 200: { description: 'The entry and its body.', schema: QuarantineDetail }, 400: INVALID, 401: UNAUTHORIZED, 404: { description: 'No such entry.' }, 500: INTERNAL },
  },
  'POST /quarantine/{id}/retry': {
    summary: "Re-submit a quarantined body to its vendor's pipeline at its stage",
    description:
      'The body goes on the queue it would have gone on (a webhook or poller body as a queue envelope, a queue message as it came), and the entry is marked retried. Quarantined again, the entry is replaced and counted (and alarmed on) again. Storage is idempotent, so retrying twice stores once.',
    tag: TAG,
    path: QUARANTINE_ID,
    headers: WHO,
    responses: {
      202: { description: 'Queued.', schema: RetryOutcomeView },
      400: INVALID,
      401: UNAUTHORIZED,
      404: { description: 'No such entry.' },
      409: { description: 'It cannot be re-submitted, and `detail` says why: the body was kept truncated (over 200 KiB: the vendor must resend it), it is not UTF-8, or it has no pipeline (a poller re-reads it after a stream reset).' },
      500: INTERNAL,
    },
  },
  'GET /queues': {
    summary: 'Every queue with its depth and its DLQ depth',
    tag: TAG,
    responses: { 200: { description: 'All queues (one page).', schema: pageSchema(QueueDepthView, 'QueuePage') }, 401: UNAUTHORIZED, 500: INTERNAL },
  },
  'POST /queues/{queue}/redrive': {
    summary: "Move every message of a queue's DLQ back to the queue",
    description: 'On AWS an SQS message move task (it runs in the background: 202; GET /queues shows the DLQ emptying); locally the runtime moves them at once (200).',
    tag: TAG,
    path: QUEUE,
    headers: WHO,
    responses: {
      200: { description: 'Moved (local).', schema: RedriveView },
      202: { description: 'A move task started (AWS).', schema: RedriveView },
      400: INVALID,
      401: UNAUTHORIZED,
      404: { description: 'No such queue.' },
      409: { description: 'A redrive of this DLQ is still running.' },
      500: INTERNAL,
    },
  },
  'GET /streams': {
    summary: 'Poller streams (cursors) with their position',
    tag: TAG,
    responses: { 200: { description: 'All streams (one page).', schema: pageSchema(StreamView, 'StreamPage') }, 401: UNAUTHORIZED, 500: INTERNAL },
  },
  'GET /streams/{stream}': {
    summary: 'One poller stream and the latest changes operators made to it',
    tag: TAG,
    path: STREAM,
    responses: { 200: { description: 'The stream.', schema: StreamDetailView }, 400: INVALID, 401: UNAUTHORIZED, 404: { description: 'No such stream (it appears after its poller first runs).' }, 500: INTERNAL },
  },
  'POST /streams/{stream}/reset': {
    summary: 'Move a stream to a time: its poller reads from there on its next run',
    tag: TAG,
    path: STREAM,
    headers: WHO,
    body: { schema: StreamMove, example: { from: '2026-11-01T00:00:00Z' } },
    responses: {
      200: { description: 'Moved; the audit record.', schema: AuditRecordView },
      400: INVALID,
      401: UNAUTHORIZED,
      404: { description: 'No such stream.' },
      409: { description: 'The poller moved it at the same moment: read it again and retry.' },
      500: INTERNAL,
    },
  },
  'POST /streams/{stream}/backfill': {
    summary: 'Move a stream back to a time, to read again what came since',
    description: 'Like reset, but only back: a time at or after the position is a 409. What is read again is stored once (storage is idempotent).',
    tag: TAG,
    path: STREAM,
    headers: WHO,
    body: { schema: StreamMove, example: { from: '2026-11-01T00:00:00Z' } },
    responses: {
      200: { description: 'Moved; the audit record.', schema: AuditRecordView },
      400: INVALID,
      401: UNAUTHORIZED,
      404: { description: 'No such stream.' },
      409: { description: 'Not before the position, or the poller moved it at the same moment.' },
      500: INTERNAL,
    },
  },
};
