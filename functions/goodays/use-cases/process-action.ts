import type { GoodaysApi } from '#goodays/adapters/client.ts';
import type { ActionMessage } from '#goodays/domain/actions.ts';
import { HandBackError } from '#platform/errors.ts';
import type { EventPublisher } from '#platform/outbound/publisher.ts';
import { settledEvent } from '#goodays/domain/outbound.ts';
import { count, logger } from '#platform/observability.ts';
import { deadlineOf, ensureTime, type TimeBudget } from '#platform/time-budget.ts';
import type { ActionOutcome } from './actions.ts';
import { abandonAction, processGoodaysAction } from './actions.ts';
import type { ActionStore, ThreadStore, UserCache } from './ports.ts';

/** A delivery handed back to SQS on purpose (back-off across deliveries), not an error. */
export class RetryLaterError extends HandBackError {
  override readonly name = 'RetryLaterError';
}

/**
 * What one delivery needs, in two parts read at different moments: `settlement` first (which delivery
 * is the last, and the store that settles it), `sending` only inside the part whose failures the last
 * delivery settles, so a missing setting there fails the action instead of leaving it stuck.
 */
export interface ActionDeliveryPorts {
  readonly settlement: () => { readonly maxReceives: number; readonly actions: ActionStore };
  readonly sending: () => { readonly timeoutMs: number; readonly threads: ThreadStore; readonly users: UserCache };
  /** The Goodays client with the current API token (a ConfigError while there is none). */
  readonly api: () => Promise<GoodaysApi>;
  /** Where settled actions are announced. */
  readonly outbound: () => EventPublisher;
}

/** One delivery of an action message, as SQS made it. */
export interface ActionMessageDelivery {
  readonly message: ActionMessage;
  /** SQS ApproximateReceiveCount of this delivery. */
  readonly receiveCount: number;
  /** SQS id of the message. */
  readonly messageId?: string;
  readonly budget: TimeBudget;
}

/**
 * Sends one queued operator action to Goodays, at most once for replies and messages. A record goes
 * back to SQS by throwing. On its last delivery (GOODAYS_ACTION_MAX_RECEIVES, the queue's
 * maxReceiveCount) every failure this code can catch — a Goodays error, a missing token or setting,
 * too little time left, a back-off, a lost race, a DynamoDB error while processing — ends in
 * {@link abandonAction} (failed and the response freed, or `unknown` when caught mid-send) instead of
 * a DLQ message over a stuck action. What it cannot catch: GOODAYS_ACTION_MAX_RECEIVES itself (or the
 * actions table's name) unreadable (the last delivery cannot be told), abandonAction's own DynamoDB
 * writes failing, a record the shared batch handler never starts for lack of time (one record per
 * batch, so only when the function's timeout is under the 5 s reserve), and the Lambda being killed
 * (timeout, out of memory). Those leave the action as it was with its message in the DLQ; a redrive
 * resumes it (a reply or message found `sending` becomes `unknown`, never resent).
 * @throws RetryLaterError to hand the record back; any other error to fail it
 */
export async function consumeGoodaysAction(delivery: ActionMessageDelivery, ports: ActionDeliveryPorts): Promise<void> {
  const { actionId } = delivery.message;
  const { receiveCount, messageId, budget } = delivery;
  const { maxReceives, actions } = ports.settlement();
  const last = receiveCount >= maxReceives;
  let outcome: ActionOutcome;
  try {
    const { timeoutMs, threads, users } = ports.sending();
    // A send needs one whole request timeout before the reserve; a record not started in time goes back.
    ensureTime(budget, 'a Goodays request', timeoutMs);
    outcome = await processGoodaysAction(
      // Every Goodays request is over by the deadline (vendorRequest starts none that could run past it).
      { actionId, receiveCount, maxReceives, deadline: deadlineOf(budget), endsAt: Date.now() + budget.remainingMs(), messageId },
      { actions, threads, users, api: await ports.api() },
    );
    // A hand-back now would send the message to the DLQ with the action still holding its claim.
    if (outcome.result === 'retry' && last) throw new RetryLaterError(`handed back on its last delivery: ${outcome.reason}`);
  } catch (err) {
    if (!last) throw err;
    logger.error('Goodays action failed on its last delivery; giving up', { actionId, error: err as Error });
    outcome = await abandonAction(actionId, { actions, threads: threadsIfReadable(ports) }, err, messageId);
    // Not a hand-back: the message goes to the DLQ, and the errors alarm should see it.
    if (outcome.result === 'retry') throw new Error(`Goodays action ${actionId} could not be settled on its last delivery: ${outcome.reason}`, { cause: err });
  }
  logger.info('Goodays action processed', { actionId, ...outcome });
  if (outcome.result === 'retry') {
    count('GoodaysActionRetry');
    throw new RetryLaterError(`Goodays action ${actionId} handed back: ${outcome.reason}`);
  }
  // Another message's delivery holds it (see processGoodaysAction): that one settles and announces it.
  if (outcome.state === 'sending') {
    count('GoodaysActionDuplicateDelivery');
    return;
  }
  count(`GoodaysAction_${outcome.state}`);
  if (outcome.state === 'unknown') count('GoodaysActionOutcomeUnknown');
  // Announced on every delivery that finds the action settled (also one settled by an earlier
  // delivery that died before publishing); the event id names the action and its outcome.
  const settled = await actions.get(actionId);
  const event = settled ? settledEvent(settled) : undefined;
  if (event) await ports.outbound().publish([event]);
}

/** The threads store when its setting can be read (a last delivery may be settling just that failure). */
function threadsIfReadable(ports: ActionDeliveryPorts): ThreadStore | undefined {
  try {
    return ports.sending().threads;
  } catch {
    return undefined;
  }
}
