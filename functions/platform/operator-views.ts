import * as z from 'zod';
import { ListQuery } from './list-page.ts';

/**
 * The hub's own operator routes (status, quarantine, queues, streams): their inputs and answers as
 * schemas. The use cases build these; the OpenAPI document describes them from here.
 */

const Time = z.iso.datetime().meta({ description: 'ISO-8601, UTC.' });

export const QueueDepthView = z
  .object({
    name: z.string().meta({ example: 'acme-events' }),
    depth: z.number().int().meta({ description: 'Messages waiting, in flight and delayed.' }),
    inFlight: z.number().int(),
    dlqDepth: z.number().int().meta({ description: 'Messages in its dead-letter queue.' }),
  })
  .meta({ id: 'QueueDepth' });

export const ScheduleRunView = z
  .object({
    name: z.string().meta({ example: 'acme-poller' }),
    lastRunAt: Time.nullable().meta({ description: 'null: no run recorded yet.' }),
    outcome: z.enum(['ok', 'failed']).nullable(),
    durationMs: z.number().int().optional(),
    error: z.string().optional().meta({ description: "The failed run's error name and message." }),
    figures: z.record(z.string(), z.union([z.number(), z.string()])).optional().meta({ description: 'What the run reported (e.g. a count of waiting responses and how long the oldest has waited).' }),
  })
  .meta({ id: 'ScheduleRun' });

export const StreamView = z
  .object({
    name: z.string().meta({ example: 'acme:items' }),
    poller: z.string().meta({ description: 'The scheduled function that reads it.' }),
    description: z.string(),
    position: Time.nullable().meta({ description: 'Where the poller reads from next (null: the stored value holds no time).' }),
    updatedAt: Time,
    version: z.number().int(),
  })
  .meta({ id: 'Stream' });

export const AttentionView = z
  .object({
    table: z.string().meta({ example: 'acme-actions' }),
    reason: z.string().meta({ description: 'Why these items wait for a person.', example: 'outcome-unknown' }),
    description: z.string().meta({ description: 'What a person must do about them.' }),
    count: z.number().int().meta({ description: 'Items waiting now.' }),
    oldestAt: Time.nullable().meta({ description: 'Since when the oldest has waited; null: none waits.' }),
  })
  .meta({ id: 'Attention' });

export const StatusView = z
  .object({
    generatedAt: Time,
    webhooks: z.array(z.object({ vendor: z.string(), lastAcceptedAt: Time.nullable().meta({ description: 'To the minute; null: none recorded.' }) })),
    schedules: z.array(ScheduleRunView),
    queues: z.array(QueueDepthView),
    quarantine: z.object({ count: z.number().int(), retried: z.number().int().meta({ description: 'Of those, retried and not quarantined again since.' }) }),
    attention: z.array(AttentionView).meta({ description: 'Per attention index the topology declares: items waiting for a person (e.g. actions whose outcome is unknown), counted from a sparse index.' }),
    streams: z.array(StreamView),
  })
  .meta({ id: 'Status' });

export const QuarantineSummary = z
  .object({
    id: z.string().meta({ example: 'acme#webhook#3f1c…' }),
    vendor: z.string(),
    stage: z.enum(['webhook', 'processor', 'poller']),
    reason: z.string(),
    receivedAt: Time,
    requestId: z.string().optional(),
    bodyBytes: z.number().int().meta({ description: 'The body as received; over 200 KiB only its start is kept (truncated).' }),
    truncated: z.boolean(),
    retryTo: z.string().nullable().meta({ description: 'The queue a retry re-submits it to; null: it cannot be retried (see the reason on retry).' }),
    retriedAt: Time.optional(),
    retriedBy: z.string().optional(),
    retries: z.number().int().optional(),
  })
  .meta({ id: 'QuarantineSummary' });

export const QuarantineDetail = QuarantineSummary.extend({
  bodyEncoding: z.enum(['utf8', 'base64']).meta({ description: 'utf8: `body` is the text as received; base64: the bytes were not UTF-8.' }),
  body: z.string().meta({ description: 'The body as a JSON string (escaped, never markup).' }),
  bodySha256: z.string(),
}).meta({ id: 'QuarantineDetail' });

export const RetryOutcomeView = z
  .object({ id: z.string(), queue: z.string(), messageId: z.string(), retriedAt: Time, retriedBy: z.string() })
  .meta({ id: 'QuarantineRetry' });

export const RedriveView = z
  .object({
    queue: z.string(),
    state: z.enum(['started', 'moved']).meta({ description: 'started: an SQS move task runs in the background (AWS); moved: done (local).' }),
    moved: z.number().int().optional(),
    taskHandle: z.string().optional(),
    dlqDepth: z.number().int().meta({ description: 'Messages in the DLQ when asked.' }),
    by: z.string(),
  })
  .meta({ id: 'Redrive' });

export const AuditRecordView = z
  .object({
    stream: z.string(),
    at: Time,
    who: z.string().meta({ description: 'The X-Operator header, else the token\'s label (`operator`).' }),
    action: z.enum(['reset', 'backfill']),
    from: Time.nullable().meta({ description: 'The position before.' }),
    to: Time,
  })
  .meta({ id: 'StreamAudit' });

export const StreamDetailView = StreamView.extend({ audit: z.array(AuditRecordView).meta({ description: 'The latest 100 changes, newest first.' }) }).meta({ id: 'StreamDetail' });

export const QuarantineQuery = ListQuery;

/** `POST /streams/{stream}/reset` and `/backfill`. */
export const StreamMove = z.strictObject({ from: z.iso.datetime({ offset: true }).meta({ description: 'Where the poller reads from next.', example: '2026-11-01T00:00:00Z' }) });

/** `X-Operator`: who is acting, kept in audit records. */
export const OperatorHeader = z.string().regex(/^[\x20-\x7e]{1,128}$/, 'must be 1-128 visible ASCII characters');

export type QueueDepthView = z.infer<typeof QueueDepthView>;
export type StreamView = z.infer<typeof StreamView>;
export type StatusView = z.infer<typeof StatusView>;
export type AttentionView = z.infer<typeof AttentionView>;
export type QuarantineSummary = z.infer<typeof QuarantineSummary>;
export type QuarantineDetail = z.infer<typeof QuarantineDetail>;
export type AuditRecordView = z.infer<typeof AuditRecordView>;
