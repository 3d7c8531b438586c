import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { CursorStore } from './cursor-store.ts';
import type { DlqOperations, QueueAddress } from './dlq.ts';
import { RedriveBusyError } from './dlq.ts';
import type { QueueEnvelope } from './envelope.ts';
import { ConflictError, NotFoundError, ValidationError } from './errors.ts';
import { parseJson } from './json.ts';
import type { Page } from './list-page.ts';
import { sizedPage } from './list-page.ts';
import type { AuditRecordView, QuarantineDetail, QuarantineSummary, QueueDepthView, StatusView, StreamView } from './operator-views.ts';
import { OperatorHeader, QuarantineQuery, StreamMove } from './operator-views.ts';
import { pageCursor } from './page-cursor.ts';
import type { QuarantineItem, QuarantineReader } from './quarantine.ts';
import { MAX_QUARANTINED_BODY_BYTES } from './quarantine.ts';
import type { RunRecord } from './runs.ts';
import { scheduleRunKey, webhookKey } from './runs.ts';
import { parseInput, pathId } from './validation.ts';

/**
 * The hub's own operator work, over ports: what `GET /status` shows, the quarantine (list, get,
 * retry), queues and DLQs (depth, redrive) and the poller streams (list, reset, backfill, each change
 * kept as an audit record). The vendor parts are not named here: what the topology declares
 * (`HUB_OPERATIONS`) says which queues, schedules, webhooks and streams there are.
 */

/** What the topology tells the operator function (`HUB_OPERATIONS`, see `operationsOf` in the topology). */
export const Operations = z.object({
  /** The topology's attention indexes (sparse indexes of items waiting for a person), counted by status. */
  attention: z.array(z.object({ table: z.string(), index: z.string(), partitionKey: z.string(), sortKey: z.string(), reason: z.string(), description: z.string() })).default([]),
  queues: z.array(z.string()),
  schedules: z.array(z.string()),
  webhooks: z.array(z.string()),
  streams: z.array(z.object({ prefix: z.string(), positionField: z.string(), description: z.string(), poller: z.string() })),
});
export type Operations = z.infer<typeof Operations>;
export type AttentionDecl = Operations['attention'][number];

/** Port: how many items of an attention index wait, and since when the oldest has. */
export type AttentionCounter = (decl: AttentionDecl) => Promise<{ readonly count: number; readonly oldestAt: string | null }>;

export interface AuditStore {
  add(record: AuditRecordView): Promise<void>;
  /** Newest first. */
  latest(stream: string, limit: number): Promise<AuditRecordView[]>;
}

/** A stored cursor with its value, for the streams (all of them: a few dozen items). */
export interface StoredCursor {
  readonly name: string;
  readonly value: string;
  readonly version: number;
  readonly updatedAt: string;
}

export interface OperationsPorts {
  readonly operations: Operations;
  readonly queues: (name: string) => QueueAddress;
  readonly dlq: DlqOperations;
  readonly quarantine: QuarantineReader;
  /** Sends a message body to a declared queue; returns the message id. */
  readonly send: (queue: string, message: QueueEnvelope | string) => Promise<string>;
  readonly runs: () => Promise<RunRecord[]>;
  readonly cursors: CursorStore & { all(): Promise<StoredCursor[]> };
  readonly audit: AuditStore;
  readonly attention: AttentionCounter;
  readonly now?: () => Date;
}

/** Who is acting: `X-Operator`, else the label of the one operator token (`operator`). */
export function operatorOf(headers: Readonly<Record<string, string | undefined>> | undefined): string {
  const v = headers?.['x-operator'];
  if (v === undefined) return 'operator';
  const parsed = OperatorHeader.safeParse(v);
  if (!parsed.success || v.trim() === '') throw new ValidationError('Invalid X-Operator header', [{ name: 'X-Operator', detail: 'must be 1-128 visible ASCII characters' }]);
  return v.trim();
}

// ---- quarantine

const quarantineCursor = pageCursor('quarantine', z.string().min(1).max(2048));

function summaryOf(item: QuarantineItem): QuarantineSummary {
  return {
    id: item.id,
    vendor: item.vendor,
    stage: item.stage,
    reason: item.reason,
    receivedAt: item.receivedAt,
    ...(item.requestId ? { requestId: item.requestId } : {}),
    bodyBytes: item.bodyBytes,
    truncated: item.truncated,
    retryTo: item.retry?.queue ?? null,
    ...(item.retriedAt ? { retriedAt: item.retriedAt, retriedBy: item.retriedBy ?? 'operator', retries: item.retries ?? 1 } : {}),
  };
}

/** `GET /quarantine`: in table order (no order promised), paged. */
export async function listQuarantine(ports: Pick<OperationsPorts, 'quarantine'>, query: Record<string, string>): Promise<Page<QuarantineSummary>> {
  const q = parseInput(QuarantineQuery, query, 'Invalid query');
  const page = await ports.quarantine.page(q.limit, quarantineCursor.decode(q.cursor));
  const items = page.items.map(summaryOf);
  return sizedPage(items, page.next === undefined ? null : quarantineCursor.encode(page.next), (i) => quarantineCursor.encode(items[i]?.id ?? ''));
}

const QuarantineId = z.string().max(2048).regex(/^[a-z0-9-]+#(webhook|processor|poller)#[0-9a-f]{64}$/, 'a quarantine id (vendor#stage#sha256)');

async function itemOf(ports: Pick<OperationsPorts, 'quarantine'>, rawId: string | undefined): Promise<QuarantineItem> {
  const id = pathId(rawId, 'id', QuarantineId);
  const item = await ports.quarantine.get(id);
  if (!item) throw new NotFoundError(`No quarantined body ${id}`);
  return item;
}

/** `GET /quarantine/{id}`: the entry with its body as a JSON string. */
export async function getQuarantined(ports: Pick<OperationsPorts, 'quarantine'>, id: string | undefined): Promise<QuarantineDetail> {
  const item = await itemOf(ports, id);
  return { ...summaryOf(item), bodyEncoding: item.bodyEncoding, body: item.body, bodySha256: item.bodySha256 };
}

/**
 * `POST /quarantine/{id}/retry`: re-submits the body to its vendor's pipeline at its stage (the queue
 * it would have gone on), then marks the entry retried. Quarantined again, it is replaced and counted
 * again; stored, it stays marked retried until deleted. A body kept truncated cannot be retried.
 */
export async function retryQuarantined(ports: OperationsPorts, id: string | undefined, who: string) {
  const item = await itemOf(ports, id);
  if (item.truncated) {
    throw new ConflictError(
      `Only the first ${MAX_QUARANTINED_BODY_BYTES} of the body's ${item.bodyBytes} bytes were kept (it was over the limit), so it cannot be re-submitted: the vendor must send it again.`,
      { reason: 'truncated' },
    );
  }
  if (!item.retry) throw new ConflictError(`This body has no pipeline to be re-submitted to (${item.vendor}, stage ${item.stage}); it is re-read from the vendor when its poller stream is reset.`, { reason: 'no-pipeline' });
  if (item.bodyEncoding !== 'utf8') throw new ConflictError('The body is not UTF-8 text, which no pipeline reads.', { reason: 'not-text' });
  if (!ports.operations.queues.includes(item.retry.queue)) throw new ConflictError(`The body's queue ${item.retry.queue} is not declared.`, { reason: 'no-queue' });
  const at = (ports.now?.() ?? new Date()).toISOString();
  const message: QueueEnvelope | string =
    item.retry.as === 'envelope' ? { vendor: item.vendor, requestId: `retry-${randomUUID()}`, receivedAt: item.receivedAt, body: item.body, source: item.retry.source ?? 'replay' } : item.body;
  const messageId = await ports.send(item.retry.queue, message);
  // Marked after it is queued: a crash in between leaves it unmarked, never lost.
  await ports.quarantine.markRetried(item.id, who, at);
  return { id: item.id, queue: item.retry.queue, messageId, retriedAt: at, retriedBy: who };
}

// ---- queues

function queueOf(ports: Pick<OperationsPorts, 'operations' | 'queues'>, raw: string | undefined): QueueAddress {
  const name = pathId(raw, 'queue');
  if (!ports.operations.queues.includes(name)) throw new NotFoundError(`No queue named ${name}; the queues are ${ports.operations.queues.join(', ')}`);
  return ports.queues(name);
}

/** `GET /queues`: every declared queue with its DLQ's depth. */
export async function listQueues(ports: Pick<OperationsPorts, 'operations' | 'queues' | 'dlq'>): Promise<Page<QueueDepthView>> {
  const items = await Promise.all(ports.operations.queues.map((q) => ports.dlq.depth(ports.queues(q))));
  return { items, nextCursor: null };
}

/** `POST /queues/{queue}/redrive`: every message of its DLQ back to it. */
export async function redriveQueue(ports: Pick<OperationsPorts, 'operations' | 'queues' | 'dlq'>, queue: string | undefined, who: string) {
  const q = queueOf(ports, queue);
  try {
    return { ...(await ports.dlq.redrive(q)), by: who };
  } catch (err) {
    if (err instanceof RedriveBusyError) throw new ConflictError(err.message, { reason: 'redrive-running' });
    throw err;
  }
}

// ---- streams

function streamDeclOf(ops: Operations, name: string) {
  return ops.streams.find((s) => name.startsWith(s.prefix));
}

function positionOf(value: string, field: string): string | null {
  const parsed = parseJson(value);
  const raw = parsed.ok && parsed.value !== null && typeof parsed.value === 'object' ? (parsed.value as Record<string, unknown>)[field] : parsed.ok ? undefined : value;
  if (typeof raw !== 'string') return null;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function streamView(ops: Operations, c: StoredCursor): StreamView | undefined {
  const decl = streamDeclOf(ops, c.name);
  if (!decl) return undefined;
  return { name: c.name, poller: decl.poller, description: decl.description, position: positionOf(c.value, decl.positionField), updatedAt: c.updatedAt, version: c.version };
}

/** `GET /streams`: every poller stream that has a cursor, by name. */
export async function listStreams(ports: Pick<OperationsPorts, 'operations' | 'cursors'>): Promise<Page<StreamView>> {
  const all = await ports.cursors.all();
  const items = all.flatMap((c) => streamView(ports.operations, c) ?? []).sort((a, b) => a.name.localeCompare(b.name));
  return { items, nextCursor: null };
}

const StreamName = z.string().max(256).regex(/^[A-Za-z0-9:._-]+$/, 'a stream name as GET /streams lists it');

async function streamOf(ports: Pick<OperationsPorts, 'operations' | 'cursors'>, raw: string | undefined) {
  const name = pathId(raw, 'stream', StreamName);
  const decl = streamDeclOf(ports.operations, name);
  const cursor = decl ? await ports.cursors.get(name) : undefined;
  if (!decl || !cursor) throw new NotFoundError(`No poller stream ${name} (GET /streams lists them; a stream appears after its poller's first run)`);
  return { name, decl, cursor };
}

/** `GET /streams/{stream}`: its position and the latest changes operators made. */
export async function getStream(ports: Pick<OperationsPorts, 'operations' | 'cursors' | 'audit'>, raw: string | undefined) {
  const { name, cursor } = await streamOf(ports, raw);
  const view = streamView(ports.operations, { ...cursor, name });
  return { ...(view as StreamView), audit: await ports.audit.latest(name, 100) };
}

/**
 * `POST /streams/{stream}/reset` (any time) and `/backfill` (only back, before the position): the
 * poller reads from `from` on its next run. The move is conditional on the cursor's version, so a
 * poller run moving it at the same moment wins and the operator is told to try again (409); the
 * change is kept as an audit record.
 */
export async function moveStream(ports: OperationsPorts, raw: string | undefined, body: unknown, action: 'reset' | 'backfill', who: string): Promise<AuditRecordView> {
  const { name, decl, cursor } = await streamOf(ports, raw);
  const { from } = parseInput(StreamMove, body, 'Invalid body', 'body');
  const to = new Date(from).toISOString();
  const before = positionOf(cursor.value, decl.positionField);
  const now = ports.now?.() ?? new Date();
  if (Date.parse(to) > now.getTime()) throw new ValidationError('Invalid body', [{ name: 'body.from', detail: 'must not be in the future' }]);
  if (action === 'backfill' && before !== null && Date.parse(to) >= Date.parse(before)) {
    throw new ConflictError(`A backfill goes back: ${to} is not before the stream's position ${before} (reset moves it anywhere)`, { position: before });
  }
  const moved = await ports.cursors.move(name, cursor, JSON.stringify({ [decl.positionField]: to }));
  if (!moved) throw new ConflictError('The poller moved this stream at the same moment; read it again and retry', { reason: 'moved' });
  const record: AuditRecordView = { stream: name, at: now.toISOString(), who, action, from: before, to };
  await ports.audit.add(record);
  return record;
}

// ---- status

/** `GET /status`. */
export async function status(ports: OperationsPorts): Promise<StatusView> {
  const [runs, queues, count, retried, streams, attention] = await Promise.all([
    ports.runs(),
    listQueues(ports),
    ports.quarantine.count(),
    ports.quarantine.countRetried(),
    listStreams(ports),
    Promise.all(ports.operations.attention.map(async (a) => ({ table: a.table, reason: a.reason, description: a.description, ...(await ports.attention(a)) }))),
  ]);
  const byName = new Map(runs.map((r) => [r.name, r]));
  return {
    generatedAt: (ports.now?.() ?? new Date()).toISOString(),
    webhooks: ports.operations.webhooks.map((vendor) => {
      const r = byName.get(webhookKey(vendor));
      return { vendor, lastAcceptedAt: r?.kind === 'webhook' ? r.lastAcceptedAt : null };
    }),
    schedules: ports.operations.schedules.map((name) => {
      const r = byName.get(scheduleRunKey(name));
      if (r?.kind !== 'schedule') return { name, lastRunAt: null, outcome: null };
      return { name, lastRunAt: r.lastRunAt, outcome: r.outcome, durationMs: r.durationMs, ...(r.error ? { error: r.error } : {}), ...(r.figures ? { figures: r.figures } : {}) };
    }),
    queues: queues.items,
    quarantine: { count, retried },
    attention,
    streams: streams.items,
  };
}
