import type { Context, SQSRecord } from 'aws-lambda';
import { actionStore, goodaysActionMaxReceives, goodaysApi, goodaysSettings, quarantineStore, threadStore, userCache } from '#adapters/goodays-wiring.ts';
import { sqsHandler } from '#shared/batch.ts';
import { HandBackError, TimeBudgetError } from '#shared/errors.ts';
import { count, logger } from '#shared/observability.ts';
import { abandonAction, processGoodaysAction } from '#use-cases/goodays-actions.ts';
import { parseActionMessage } from '#use-cases/goodays-operator.ts';

/** Time kept back for the last writes after the Goodays call. */
const SAFETY_MS = 5_000;

/** A delivery handed back to SQS on purpose (back-off across deliveries), not an error. */
class RetryLater extends HandBackError {
  override readonly name = 'RetryLater';
}

/**
 * Sends queued operator actions to Goodays, at most once for replies and messages. A record fails
 * (goes back to SQS) by throwing; on its last delivery (GOODAYS_ACTION_MAX_RECEIVES, the queue's
 * maxReceiveCount) any error fails the action and frees the response instead of leaving it stuck.
 */
export const handler = sqsHandler(
  async (record: SQSRecord, context: Context) => {
    const { timeoutMs } = goodaysSettings();
    // A send needs one whole request timeout before the safety margin; a record not started in time goes back.
    if (context.getRemainingTimeInMillis() < SAFETY_MS + timeoutMs) throw new TimeBudgetError('Not enough time left for a Goodays request; record handed back');
    const message = parseActionMessage(record.body);
    if (!message) {
      // Only the operator API writes this queue: a foreign message is kept for a person, not retried.
      const { created } = await quarantineStore().put({ vendor: 'goodays', reason: 'queue message is not a Goodays action message', body: record.body, receivedAt: new Date().toISOString(), requestId: record.messageId, stage: 'processor' });
      // Counted once per distinct body: a redelivery of one already kept is not news.
      if (created) count('GoodaysActionMessageQuarantined');
      logger.error('Not an action message; quarantined', { messageId: record.messageId, created });
      return;
    }
    const { actionId } = message;
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? '1');
    const maxReceives = goodaysActionMaxReceives();
    let outcome;
    try {
      outcome = await processGoodaysAction(
        // Every Goodays request is over by the deadline (vendorRequest starts none that could run past it).
        { actionId, receiveCount, maxReceives, deadline: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS },
        { actions: actionStore(), threads: threadStore(), users: userCache(), api: await goodaysApi() },
      );
    } catch (err) {
      if (receiveCount < maxReceives) throw err;
      logger.error('Goodays action failed on its last delivery; giving up', { actionId, error: err as Error });
      outcome = await abandonAction(actionId, { actions: actionStore() }, err);
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
