import { NO_RESPONSE_ID, dedupeKey, parseEventBody } from '#goodays/domain/events.ts';
import type { ActionSummary } from '#goodays/domain/thread.ts';
import { HOLDING_STATES, canonicalJson, describeEvent, isAwaiting, reduceThread } from '#goodays/domain/thread.ts';
import { boundHubActions, boundThread } from '#goodays/domain/thread-size.ts';
import { ConflictError } from '#platform/errors.ts';
import { count, logger } from '#platform/observability.ts';
import type { EventPublisher } from '#platform/outbound/publisher.ts';
import { backoffDelay } from '#platform/vendor-http.ts';
import { threadUpdated } from '#goodays/domain/outbound.ts';
import type { ActionRecord, EventEnvelope, EventStore, Quarantine, ThreadRecord, ThreadStore } from './ports.ts';
import { eventStorability } from './storable.ts';
import type { CustomerLinker } from '#platform/customer-index.ts';
import { eventLinks } from '#goodays/domain/customer.ts';

/** Dependencies of the event processor. */
export interface EventDeps {
  readonly events: EventStore;
  readonly threads: ThreadStore;
  readonly quarantine: Quarantine;
  /** Where thread changes are announced. */
  readonly outbound: EventPublisher;
  /** The customer index (see `linkEvent`); left out, nothing is linked. */
  readonly link?: CustomerLinker;
  readonly now?: () => Date;
  /**
   * Until when (epoch ms) a write that keeps losing to other processors of the same thread may go on
   * trying past the usual attempts (a queue consumer's time budget). @default none: the usual attempts only
   */
  readonly deadline?: number;
}

export type EventOutcome =
  | { readonly result: 'stored' | 'replaced' | 'duplicate'; readonly key: string; readonly responseId: string; readonly threadWritten: boolean }
  | { readonly result: 'quarantined'; readonly reason: string; readonly created: boolean };

/** Optimistic-concurrency attempts before a record is handed back to SQS (more while a deadline allows). */
const MAX_WRITE_ATTEMPTS = 8;
/**
 * Back-off between attempts (full jitter, 20 ms doubling to at most 1 s). Without it the processors of
 * one busy thread re-read and refold in lock-step; and with a fixed count of attempts, a record of a
 * thread that many events reach at once could lose every time and wait out a visibility timeout, so a
 * consumer keeps trying while its time budget allows.
 */
const WRITE_BACKOFF = { baseMs: 20, capMs: 1_000 } as const;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Stores one event (deduplicated on event type, response id and message id; of two copies the one
 * that orders higher wins) and refolds its thread from every stored event. Concurrent processors of
 * the same response are reconciled by a version check on the thread item: a loser re-reads and
 * refolds, so the last write always includes every stored event.
 */
export async function processGoodaysEvent(envelope: EventEnvelope, deps: EventDeps): Promise<EventOutcome> {
  const parsed = parseEventBody(envelope.body);
  const described = describeEvent(envelope.body);
  // Checked again here: a message queued before the webhook checked storability is quarantined, not failed into the DLQ.
  const unstorable = described ? eventStorability(envelope.body) : undefined;
  if (parsed.kind === 'invalid' || !described || unstorable) {
    const reason = parsed.kind === 'invalid' ? parsed.reason : unstorable ? `cannot be stored: ${unstorable}` : 'unreadable event';
    const { created } = await deps.quarantine.put({ vendor: 'goodays', reason, body: envelope.body, receivedAt: envelope.receivedAt, requestId: envelope.requestId, stage: 'processor', retry: { queue: 'goodays-events', as: 'envelope' } });
    return { result: 'quarantined', reason, created };
  }
  const stored = {
    responseId: described.responseId,
    eventKey: described.eventKey,
    eventType: described.eventType,
    order: described.order,
    body: envelope.body,
    receivedAt: envelope.receivedAt,
    requestId: envelope.requestId,
  };
  const result = await deps.events.put(stored);
  const key = dedupeKey(described.eventType, described.responseId, described.eventKey.slice(described.eventType.length + 1));
  if (described.responseId === NO_RESPONSE_ID) return { result, key, responseId: described.responseId, threadWritten: false };
  // A duplicate changes nothing, but the earlier delivery may have died between storing and folding,
  // or between folding and publishing: the thread as it now is is announced on every delivery, its
  // id naming its version, so a repeat is the same event.
  const folded = await refoldThreadRecord(described.responseId, deps);
  // After the fold, so operators see the thread as soon as it can be; a failure here fails the record,
  // which is delivered again and links then (linking is idempotent).
  await linkEvent(deps, stored);
  await deps.events.retain?.(described.responseId);
  if (folded.record) {
    const r = folded.record;
    await deps.outbound.publish([
      threadUpdated.make({
        idParts: [r.responseId, String(r.version)],
        key: { responseId: r.responseId, version: r.version },
        body: { thread: r.thread as unknown as Record<string, unknown>, awaiting: r.awaiting, ...(r.lastHandledAt ? { lastHandledAt: r.lastHandledAt } : {}) },
        time: r.updatedAt,
      }),
    ]);
  }
  return { result, key, responseId: described.responseId, threadWritten: folded.written };
}

/**
 * Links a stored event (with its thread, actions and claims) to the response id and the customer's
 * e-mail and phone it carries (the customer index). Also for a duplicate, which an earlier delivery
 * may have stored without linking.
 */
export async function linkEvent(deps: Pick<EventDeps, 'link'>, stored: Parameters<typeof eventLinks>[0]): Promise<void> {
  await deps.link?.(eventLinks(stored));
}

/**
 * One record of the event processor: {@link processGoodaysEvent}, then its outcome counted
 * (`GoodaysEventStored`/`Duplicate`/`Quarantined`, a quarantine once per distinct body) and logged.
 */
export async function consumeGoodaysEvent(envelope: EventEnvelope, deps: EventDeps): Promise<void> {
  const outcome = await processGoodaysEvent(envelope, deps);
  if (outcome.result === 'quarantined') {
    if (outcome.created) count('GoodaysEventQuarantined');
    logger.warn('Goodays event quarantined', { requestId: envelope.requestId, reason: outcome.reason, created: outcome.created });
  } else {
    count(outcome.result === 'duplicate' ? 'GoodaysEventDuplicate' : 'GoodaysEventStored');
    logger.info('Goodays event processed', { requestId: envelope.requestId, responseId: outcome.responseId, key: outcome.key, result: outcome.result });
  }
}

/** Refolds a thread from its stored events; true when the thread item changed. */
export async function refoldThread(responseId: string, deps: Pick<EventDeps, 'events' | 'threads' | 'now' | 'deadline'>): Promise<boolean> {
  return (await refoldThreadRecord(responseId, deps)).written;
}

/** {@link refoldThread}, with the thread item as it is after it (written now or before). */
async function refoldThreadRecord(responseId: string, deps: Pick<EventDeps, 'events' | 'threads' | 'now' | 'deadline'>): Promise<{ written: boolean; record?: ThreadRecord }> {
  return updateThreadRecord(responseId, deps, async (current) => {
    const stored = await deps.events.list(responseId);
    // Bounded apart from the fold: however long the history, the thread item stays storable.
    const thread = boundThread(reduceThread(responseId, stored));
    return { thread, lastHandledAt: current?.lastHandledAt, hubActions: current?.hubActions };
  });
}

/**
 * Records that an action handled the thread at `at` (the action's request time), and, when given,
 * what the hub did (see {@link recordHubAction}).
 */
export async function markHandled(responseId: string, at: string, deps: Pick<EventDeps, 'threads' | 'now'>, action?: ActionSummary): Promise<boolean> {
  return updateThread(responseId, deps, async (current) => {
    if (!current) return undefined;
    const lastHandledAt = current.lastHandledAt && current.lastHandledAt > at ? current.lastHandledAt : at;
    return { thread: current.thread, lastHandledAt, hubActions: withAction(current.hubActions, action) };
  });
}

/**
 * Keeps what the hub did on a thread with its fold (an action under way, sent or unknown; a failed
 * one is dropped), so that `awaiting` never comes back because of an event older than the action.
 */
export async function recordHubAction(responseId: string, action: ActionSummary, deps: Pick<EventDeps, 'threads' | 'now'>): Promise<boolean> {
  return updateThread(responseId, deps, async (current) => {
    if (!current) return undefined;
    return { thread: current.thread, lastHandledAt: current.lastHandledAt, hubActions: withAction(current.hubActions, action) };
  });
}

/** What the thread keeps of an action record. */
export function summaryOf(record: Pick<ActionRecord, 'actionId' | 'action' | 'state' | 'eventKey' | 'answers'>): ActionSummary {
  return { actionId: record.actionId, action: record.action, state: record.state, eventKey: record.eventKey, answers: record.answers };
}

function withAction(list: readonly ActionSummary[] | undefined, action: ActionSummary | undefined): readonly ActionSummary[] | undefined {
  if (!action?.actionId) return list;
  const others = (list ?? []).filter((a) => a.actionId !== action.actionId);
  const holding = (HOLDING_STATES as readonly string[]).includes(action.state);
  const summary: ActionSummary = { actionId: action.actionId, action: action.action, state: action.state, eventKey: action.eventKey, answers: action.answers };
  return holding ? [...others, summary] : others;
}

async function updateThread(
  responseId: string,
  deps: Pick<EventDeps, 'threads' | 'now' | 'deadline'>,
  compute: (current: ThreadRecord | undefined) => Promise<Pick<ThreadRecord, 'thread' | 'lastHandledAt' | 'hubActions'> | undefined>,
): Promise<boolean> {
  return (await updateThreadRecord(responseId, deps, compute)).written;
}

async function updateThreadRecord(
  responseId: string,
  deps: Pick<EventDeps, 'threads' | 'now' | 'deadline'>,
  compute: (current: ThreadRecord | undefined) => Promise<Pick<ThreadRecord, 'thread' | 'lastHandledAt' | 'hubActions'> | undefined>,
): Promise<{ written: boolean; record?: ThreadRecord }> {
  let slowest = 0;
  const another = (attempt: number) => attempt < MAX_WRITE_ATTEMPTS || (deps.deadline !== undefined && Date.now() + slowest + WRITE_BACKOFF.capMs < deps.deadline);
  for (let attempt = 0; another(attempt); attempt++) {
    if (attempt > 0) await sleep(backoffDelay(attempt, WRITE_BACKOFF.baseMs, WRITE_BACKOFF.capMs));
    const started = Date.now();
    const current = await deps.threads.get(responseId);
    const computed = await compute(current);
    if (!computed) return { written: false, ...(current ? { record: current } : {}) };
    // What the hub did is bounded with the thread it is written with.
    const next = { ...computed, hubActions: boundHubActions(computed.thread, computed.hubActions) };
    const awaiting = isAwaiting(next.thread, next.lastHandledAt, next.hubActions);
    if (
      current &&
      current.awaiting === awaiting &&
      current.lastHandledAt === next.lastHandledAt &&
      canonicalJson(current.thread) === canonicalJson(next.thread) &&
      canonicalJson(current.hubActions ?? []) === canonicalJson(next.hubActions ?? [])
    ) {
      return { written: false, record: current };
    }
    const record: ThreadRecord = {
      responseId,
      version: (current?.version ?? 0) + 1,
      thread: next.thread,
      lastHandledAt: next.lastHandledAt,
      awaiting,
      hubActions: next.hubActions,
      updatedAt: (deps.now?.() ?? new Date()).toISOString(),
    };
    if (await deps.threads.write(record, current?.version)) return { written: true, record };
    slowest = Math.max(slowest, Date.now() - started);
  }
  throw new ConflictError(`Thread ${responseId} kept changing under every attempt; retry later`);
}
