import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './aws.ts';
import { logger } from './observability.ts';

/**
 * What `GET /status` shows of the hub's activity, kept in the `runs` table (one item per name): each
 * schedule's last run and its outcome, and each vendor's last accepted webhook. Writing a run record
 * never fails the run: a failed write is logged and the run's own outcome stands.
 */

/** A schedule's last run. */
export interface ScheduleRun {
  readonly name: string;
  readonly kind: 'schedule';
  readonly lastRunAt: string;
  readonly outcome: 'ok' | 'failed';
  readonly durationMs: number;
  /** The error's name and message (the hub's own; no vendor payload) when it failed. */
  readonly error?: string;
  /** Small figures the run returned (counts, minutes), when it returned an object of numbers and strings. */
  readonly figures?: Readonly<Record<string, number | string>>;
}

/** A vendor's last accepted webhook (to the minute: written at most once a minute per instance, after SQS took it). */
export interface WebhookSeen {
  readonly name: string;
  readonly kind: 'webhook';
  readonly lastAcceptedAt: string;
}

export type RunRecord = ScheduleRun | WebhookSeen;

export const scheduleRunKey = (fn: string): string => `schedule#${fn}`;
export const webhookKey = (vendor: string): string => `webhook#${vendor}`;

/** The figures of a run's result worth showing: top-level numbers and short strings, at most 20. */
export function figuresOf(result: unknown): Record<string, number | string> | undefined {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return undefined;
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(result)) {
    if (Object.keys(out).length >= 20) break;
    if ((typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= 100)) out[k.slice(0, 64)] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

async function put(table: string, item: Record<string, unknown>): Promise<void> {
  try {
    await dynamo.send(new PutCommand({ TableName: table, Item: item }));
  } catch (err) {
    logger.warn('Run record not written', { name: item.name, error: (err as Error).name });
  }
}

/** Records a schedule's run (best effort). */
export async function recordScheduleRun(table: string, fn: string, run: Omit<ScheduleRun, 'name' | 'kind'>): Promise<void> {
  await put(table, { name: scheduleRunKey(fn), kind: 'schedule', ...run });
}

const lastWritten = new Map<string, number>();
/** Records that a vendor's webhook was accepted, at most once a minute per instance (best effort). */
export async function recordWebhookSeen(table: string, vendor: string, now = Date.now()): Promise<void> {
  if (now - (lastWritten.get(vendor) ?? 0) < 60_000) return;
  lastWritten.set(vendor, now);
  await put(table, { name: webhookKey(vendor), kind: 'webhook', lastAcceptedAt: new Date(now).toISOString() });
}

/** Every run record (a few dozen items: one per schedule and vendor). */
export async function readRuns(table: string): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
    out.push(...((page.Items ?? []) as RunRecord[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}
