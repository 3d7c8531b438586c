import type { ActionKind } from '#goodays/domain/events.ts';
import type { ActionBody } from '#goodays/domain/actions.ts';
import type { ActionSummary, Thread } from '#goodays/domain/thread.ts';

export type { Quarantine } from '#platform/quarantine.ts';
export type { QueueEnvelope as EventEnvelope } from '#platform/envelope.ts';

/**
 * Ports of the Goodays use cases; `adapters/store.ts` implements them on DynamoDB,
 * `platform/queue.ts` the queues.
 */

export interface QueuePort<T> {
  /** Resolves only once SQS has accepted the message (the value, a message id, is not used). */
  send(message: T): Promise<unknown>;
}

/** One event as stored, keyed by (response id, `<event type>#<message id>`). */
export interface StoredEvent {
  readonly responseId: string;
  readonly eventKey: string;
  readonly eventType: string;
  readonly order: string;
  readonly body: string;
  readonly receivedAt: string;
  readonly requestId: string;
}

export interface EventStore {
  /**
   * Stores the event unless a copy with the same key and an equal or greater order is there.
   * Returns what happened.
   */
  put(event: StoredEvent): Promise<'stored' | 'replaced' | 'duplicate'>;
  /** Every stored event of a response (strongly consistent). */
  list(responseId: string): Promise<StoredEvent[]>;
  /**
   * With retention on (`RETENTION_GOODAYS_EVENTS_DAYS`), moves every event of the response to expire
   * with its latest one, so a conversation expires whole; the number of events moved. Left out, nothing expires.
   */
  retain?(responseId: string): Promise<number>;
}

/** The thread item: the folded view plus the hub's own bookkeeping. */
export interface ThreadRecord {
  readonly responseId: string;
  /** Bumped by every write; writes are conditional on it (optimistic concurrency, no transactions). */
  readonly version: number;
  readonly thread: Thread;
  /** Latest `createdAt` of an action that processed or answered the thread. */
  readonly lastHandledAt?: string;
  readonly awaiting: boolean;
  /**
   * What the hub did on the thread (its actions under way, sent or of unknown outcome), kept with the
   * fold so that a refold after any event, however stale, computes `awaiting` with it. The actions
   * table stays the authority for what an operator may do.
   */
  readonly hubActions?: readonly ActionSummary[];
  readonly updatedAt: string;
}

export interface ThreadPage {
  readonly items: ThreadRecord[];
  /** The cursor after the last item, when more follow. */
  readonly cursor?: string;
  /** The cursor continuing after item `index` (a page cut short by its size). */
  cursorAfter(index: number): string;
}

export interface ThreadStore {
  get(responseId: string): Promise<ThreadRecord | undefined>;
  /**
   * Writes the record if the stored version is still `expectedVersion` (undefined: not created yet).
   * Returns false, writing nothing, when someone else wrote first.
   */
  write(record: ThreadRecord, expectedVersion: number | undefined): Promise<boolean>;
  /** Threads, newest activity first for a state; `cursor` is opaque. */
  list(query: { state?: string; limit: number; cursor?: string }): Promise<ThreadPage>;
  /** Threads awaiting customer service whose latest event arrived before `before` (ISO). */
  awaitingBefore(before: string): Promise<{ count: number; oldest?: string }>;
}

/** Lifecycle of an action: accepted -> sending -> succeeded | failed | unknown; retrying -> sending. */
export type ActionState = 'accepted' | 'sending' | 'retrying' | 'succeeded' | 'failed' | 'unknown';

export interface ActionRecord {
  readonly actionId: string;
  readonly responseId: string;
  readonly action: ActionKind;
  readonly body: ActionBody;
  readonly operatorEmail?: string;
  /** The thread's latest event when the action was requested. */
  readonly eventKey: string | null;
  /** A message's answered customer message (see {@link ActionSummary.answers}). */
  readonly answers?: string | null;
  readonly idempotencyKey?: string;
  /** Digest of (response id, action, body): a reused Idempotency-Key with another request is refused. */
  readonly fingerprint: string;
  readonly state: ActionState;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly attempts: number;
  /** Random token of the delivery that moved the action to `sending`; final writes check it. */
  readonly sendToken?: string;
  /** When that delivery's invocation ends (ISO-8601): past it, nothing of that delivery can still be running. */
  readonly sendingUntil?: string;
  /** SQS id of the message that delivery carried. */
  readonly sendingMessageId?: string;
  readonly goodaysUserId?: string;
  readonly vendorStatus?: number;
  readonly vendorMessages?: readonly string[];
  readonly error?: string;
  /** What a person decided about an unknown outcome. */
  readonly resolution?: { readonly outcome: 'sent' | 'not-sent'; readonly note?: string; readonly at: string };
}

export interface ActionStore {
  get(actionId: string): Promise<ActionRecord | undefined>;
  /** Creates the record; false when one with the same id exists. */
  create(record: ActionRecord): Promise<boolean>;
  /**
   * Replaces the record if its state is one of `fromStates` (and, when given, its send token
   * matches). False when the condition fails.
   */
  transition(record: ActionRecord, fromStates: readonly ActionState[], sendToken?: string): Promise<boolean>;
  /** Actions of one response, oldest first. */
  listForResponse(responseId: string): Promise<ActionRecord[]>;
  /**
   * Claims `claimKey` on the response (see `claimKeyOf`: processing it, or answering one customer
   * message). True when `actionId` holds it (now or already); false when another action does.
   */
  claim(responseId: string, claimKey: string, actionId: string): Promise<boolean>;
  /** Releases a claim held by `actionId` (after a definite failure). */
  release(responseId: string, claimKey: string, actionId: string): Promise<void>;
}

export interface UserCache {
  get(email: string): Promise<string | undefined>;
  put(email: string, userId: string): Promise<void>;
}
