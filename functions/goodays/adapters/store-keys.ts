import type { ThreadRecord } from '#goodays/use-cases/ports.ts';
import { expiry } from '#platform/retention.ts';

/**
 * The Goodays tables' key attributes and the thread item as the store writes it, without the SDK: the
 * webhook's storability check needs them, and its bundle should not load the stores for it.
 */

/** Key attributes of the events table. */
export const EVENT_KEYS = { partition: ['responseId'], sort: ['eventKey'] } as const;
/** Key attributes of the threads table and its indexes (byState, byAwaiting). */
export const THREAD_KEYS = { partition: ['responseId', 'threadState', 'awaiting'], sort: ['lastEventAt'] } as const;

/** The threads table item of a record, as the thread store (`store.ts`) writes it (and the storability check measures it). */
export function threadItem(record: ThreadRecord): Record<string, unknown> {
  return {
    responseId: record.responseId,
    version: record.version,
    thread: record.thread,
    lastHandledAt: record.lastHandledAt,
    hubActions: record.hubActions,
    updatedAt: record.updatedAt,
    // An empty state cannot be an index key: such a thread is left out of byState rather than refused.
    threadState: record.thread.state || undefined,
    lastEventAt: record.thread.latestEventReceivedAt ?? record.updatedAt,
    awaiting: record.awaiting ? '1' : undefined,
    // Retention (GOODAYS_EVENTS): the thread goes with its conversation's latest event.
    ...expiry('GOODAYS_EVENTS', record.thread.latestEventReceivedAt ?? record.updatedAt),
  };
}

