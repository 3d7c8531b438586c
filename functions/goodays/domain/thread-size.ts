import { MAX_NESTED_CONTAINERS, attributeSize, storableCopy } from '#platform/storable.ts';
import type { ActionSummary, Thread } from './thread.ts';
import { latestCustomerMessage } from './thread.ts';

/**
 * Keeps a folded thread storable and under DynamoDB's 400 KB item limit whatever its history: kept
 * apart from the fold (thread.ts) on purpose, as a pure step after it. The events table keeps every
 * event whole; the thread is a view of them, so what does not fit is left out of the view and counted.
 */

/** Bytes the `thread` attribute may take; the rest of the item (keys, version, dates) is far smaller. */
export const THREAD_MAX_BYTES = 350 * 1024;

/** What was left out of a thread to keep it under {@link THREAD_MAX_BYTES}. */
export interface ThreadOmissions {
  /** The oldest messages, left out first. */
  readonly messages: number;
  readonly eventKeys: number;
  readonly unknownEvents: number;
  /** The latest response snapshot alone was too large: only its id is shown. */
  readonly response: boolean;
}

/** A thread as stored: the fold, storable, with what was left out (only when something was). */
export type BoundedThread = Thread & { readonly omitted?: ThreadOmissions };

/**
 * The thread as it can be stored: free-form values DynamoDB cannot hold as they are (numbers past
 * ±2^53, maps with empty keys, nesting past 32 levels) as their text (`storableCopy`), then, while it
 * is over `maxBytes`, the oldest messages left out, then the first event keys (in key order) and the
 * oldest unknown events,
 * then the response snapshot. Deterministic in the thread, so the stored view still depends only on
 * the set of events.
 */
export function boundThread(thread: Thread, maxBytes = THREAD_MAX_BYTES): BoundedThread {
  const copy = storableCopy(thread, MAX_NESTED_CONTAINERS) as Thread;
  const size = (t: unknown) => attributeSize('thread', t) ?? Infinity;
  let total = size(copy);
  if (total <= maxBytes) return copy;
  // Each element's own bytes (plus its list entry's), so dropping one needs no re-measure of the rest.
  const sizes = (list: readonly unknown[]) => list.map((v) => (attributeSize('x', v) ?? 0));
  const messages = [...copy.messages];
  const eventKeys = [...copy.eventKeys];
  const unknownEvents = [...copy.unknownEvents];
  const omitted = { messages: 0, eventKeys: 0, unknownEvents: 0, response: false };
  total += 200; // room for the `omitted` map itself
  for (const [list, key] of [
    [messages, 'messages'],
    [eventKeys, 'eventKeys'],
    [unknownEvents, 'unknownEvents'],
  ] as const) {
    const each = sizes(list);
    while (total > maxBytes && list.length > 0) {
      total -= each.shift() ?? 0;
      (list as unknown[]).shift();
      omitted[key]++;
    }
  }
  let response = copy.response;
  if (total > maxBytes && response) {
    response = { id: copy.responseId };
    omitted.response = true;
  }
  return { ...copy, messages, eventKeys, unknownEvents, response, omitted };
}

/**
 * What the thread keeps of the hub's actions (`hubActions`), bounded with the rest of the thread: it
 * used to gain one summary per answered customer message for ever. Kept: every processing action (a
 * reply, call, close or spam: what makes the response processed once, so no event re-opens it; Goodays
 * processes a response once and the hub claims it, so these are one or two), every other kind, and the
 * messages that can still hold (they answer the customer's latest private message, or one the thread
 * does not show). Left out: messages that answered a customer message the customer has written after,
 * which hold nothing now nor later (the thread only gains messages), so the list stays as short as the
 * actions that still matter, whatever the history. The actions table, with its per-message
 * claims, still decides what an operator may send; this list only keeps the thread's `awaiting` right.
 */
export function boundHubActions(thread: Thread, actions: readonly ActionSummary[] | undefined): readonly ActionSummary[] | undefined {
  if (!actions) return actions;
  const latest = latestCustomerMessage(thread);
  const position = new Map(thread.messages.map((m, i) => [m.id, i]));
  const latestAt = latest ? (position.get(latest.id) ?? -1) : -1;
  const kept = actions.filter((a) => {
    if (a.action !== 'message' || latest === undefined) return true;
    const answered = a.answers !== undefined ? a.answers : a.eventKey?.startsWith('message#') ? a.eventKey.slice('message#'.length) : null;
    if (answered === null) return false;
    const at = position.get(answered);
    return at === undefined || latestAt <= at;
  });
  return kept.length === actions.length ? actions : kept;
}
