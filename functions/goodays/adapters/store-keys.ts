import type { ThreadRecord } from '#goodays/use-cases/ports.ts';
import { expiry } from '#platform/retention.ts';
import { shardedKey } from '#platform/shards.ts';

/**
 * The Goodays tables' key attributes and the thread item as the store writes it, without the SDK: the
 * webhook's storability check needs them, and its bundle should not load the stores for it.
 */

/** Key attributes of the events table. */
export const EVENT_KEYS = { partition: ['responseId'], sort: ['eventKey'] } as const;
/** Key attributes of the threads table and its indexes (byState, byAwaiting). */
export const THREAD_KEYS = { partition: ['responseId', 'threadState', 'awaiting'], sort: ['lastEventAt'] } as const;

/**
 * The sparse `byAwaiting` index's partition key: a thread that waits for customer service carries the
 * shard of its response id (`awaiting#0` … `awaiting#7`), one that does not carries none. Threads
 * written before the index was sharded carry `'1'`, read and never written again (a thread's next
 * write moves it to its shard).
 */
export const AWAITING_KEY = shardedKey('awaiting', 8, '1');

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
    awaiting: record.awaiting ? AWAITING_KEY.of(record.responseId) : undefined,
    // Retention (GOODAYS_EVENTS): the thread goes with its conversation's latest event.
    ...expiry('GOODAYS_EVENTS', record.thread.latestEventReceivedAt ?? record.updatedAt),
  };
}

