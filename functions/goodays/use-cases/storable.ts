import { EVENT_KEYS, THREAD_KEYS, threadItem } from '#goodays/adapters/store-keys.ts';
import { describeEvent, isAwaiting, reduceThread } from '#goodays/domain/thread.ts';
import { boundThread } from '#goodays/domain/thread-size.ts';
import { parseJson } from '#platform/json.ts';
import { nestingReason, storableReason } from '#platform/storable.ts';

/** The longest request id, receipt time and update time an item may carry, so the check holds for every copy. */
const PLACEHOLDER_ID = 'x'.repeat(64);
const PLACEHOLDER_TIME = new Date(0).toISOString();

/**
 * Why the event processor could not store a Goodays event body, or undefined: the event item and the
 * thread item it would write (the thread folded from this event alone and bounded, as `refoldThread`
 * writes it; older events can only be left out of it, never make it unstorable), measured by DynamoDB's
 * rules, and the body's JSON nesting. The webhook quarantines what fails before answering; the
 * processor checks again. A body that does not read as an event is the parser's to refuse.
 */
export function eventStorability(body: string): string | undefined {
  const described = describeEvent(body);
  if (!described) return undefined;
  const json = parseJson(body);
  const deep = json.ok ? nestingReason(json.value) : undefined;
  if (deep) return `the event is ${deep}`;
  const event = { responseId: described.responseId, eventKey: described.eventKey, eventType: described.eventType, order: described.order, body, receivedAt: PLACEHOLDER_TIME, requestId: PLACEHOLDER_ID };
  const eventReason = storableReason(event, EVENT_KEYS);
  if (eventReason) return `event item: ${eventReason}`;
  const thread = boundThread(reduceThread(described.responseId, [{ body, receivedAt: PLACEHOLDER_TIME }]));
  const record = { responseId: described.responseId, version: 1, thread, lastHandledAt: PLACEHOLDER_TIME, awaiting: isAwaiting(thread, undefined), updatedAt: PLACEHOLDER_TIME };
  const threadReason = storableReason(threadItem(record), THREAD_KEYS);
  return threadReason ? `thread item: ${threadReason}` : undefined;
}
