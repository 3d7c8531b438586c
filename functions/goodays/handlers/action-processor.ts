import type { Context, SQSRecord } from 'aws-lambda';
import { actionStore, goodaysActionMaxReceives, goodaysApi, goodaysSettings, quarantineStore, threadStore, userCache } from '#goodays/adapters/wiring.ts';
import { sqsHandler } from '#platform/queue-consumer.ts';
import { HandBackError, TimeBudgetError } from '#platform/errors.ts';
import { count, logger } from '#platform/observability.ts';
import type { ActionOutcome } from '#goodays/use-cases/actions.ts';
import { abandonAction, processGoodaysAction } from '#goodays/use-cases/actions.ts';
import { parseActionMessage } from '#goodays/use-cases/operator.ts';

/** Time kept back for the last writes after the Goodays call. */
const SAFETY_MS = 5_000;

/** A delivery handed back to SQS on purpose (back-off across deliveries), not an error. */
class RetryLater extends HandBackError {
  override readonly name = 'RetryLater';
}

/**
 * Sends queued operator actions to Goodays, at most once for replies and messages. A record goes back
 * to SQS by throwing. On its last delivery (GOODAYS_ACTION_MAX_RECEIVES, the queue's maxReceiveCount)
 * every failure this code can catch — a Goodays error, a missing token or setting, too little time
 * left, a back-off, a lost race, a DynamoDB error while processing — ends in {@link abandonAction}
 * (failed and the response freed, or `unknown` when caught mid-send) instead of a DLQ message over
 * a stuck action. What it cannot catch: GOODAYS_ACTION_MAX_RECEIVES itself unreadable (the last
 * delivery cannot be told), abandonAction's own DynamoDB writes failing, a record the shared batch
 * handler never starts for lack of time (one record per batch, so only when the function's timeout
 * is under 5 s), and the Lambda being killed (timeout, out of memory). Those leave the action as it
 * was with its message in the DLQ; a redrive resumes it (a reply or message found `sending` becomes
 * `unknown`, never resent).
 */
export const handler = sqsHandler(
  async (record: SQSRecord, context: Context) => {
    const message = parseActionMessage(record.body);
    if (!message) {
      // Only the operator API writes this queue: a foreign message is kept for a person, not retried.
      // There is no action to settle: if this write fails the DLQ keeps the body.
      const { created } = await quarantineStore().put({ vendor: 'goodays', reason: 'queue message is not a Goodays action message', body: record.body, receivedAt: new Date().toISOString(), requestId: record.messageId, stage: 'processor' });
      // Counted once per distinct body: a redelivery of one already kept is not news.
      if (created) count('GoodaysActionMessageQuarantined');
      logger.error('Not an action message; quarantined', { messageId: record.messageId, created });
      return;
    }
    const { actionId } = message;
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? '1');
    const maxReceives = goodaysActionMaxReceives();
    const last = receiveCount >= maxReceives;
    let outcome: ActionOutcome;
    try {
      const { timeoutMs } = goodaysSettings();
      // A send needs one whole request timeout before the safety margin; a record not started in time goes back.
      if (context.getRemainingTimeInMillis() < SAFETY_MS + timeoutMs) throw new TimeBudgetError('Not enough time left for a Goodays request; record handed back');
      outcome = await processGoodaysAction(
        // Every Goodays request is over by the deadline (vendorRequest starts none that could run past it).
        { actionId, receiveCount, maxReceives, deadline: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS },
        { actions: actionStore(), threads: threadStore(), users: userCache(), api: await goodaysApi() },
      );
      // A hand-back now would send the message to the DLQ with the action still holding its claim.
      if (outcome.result === 'retry' && last) throw new RetryLater(`handed back on its last delivery: ${outcome.reason}`);
    } catch (err) {
      if (!last) throw err;
      logger.error('Goodays action failed on its last delivery; giving up', { actionId, error: err as Error });
      outcome = await abandonAction(actionId, { actions: actionStore() }, err);
      // Not a hand-back: the message goes to the DLQ, and the errors alarm should see it.
      if (outcome.result === 'retry') throw new Error(`Goodays action ${actionId} could not be settled on its last delivery: ${outcome.reason}`, { cause: err });
    }
    logger.info('Goodays action processed', { actionId, ...outcome });
    if (outcome.result === 'retry') {
      count('GoodaysActionRetry');
      throw new RetryLater(`Goodays action ${actionId} handed back: ${outcome.reason}`);
    }
    count(`GoodaysAction_${outcome.state}`);
    if (outcome.state === 'unknown') count('GoodaysActionOutcomeUnknown');
  },
  { safetyMs: SAFETY_MS },
);
