import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { actionStore, goodaysApi, goodaysSettings, threadStore, userCache } from '#adapters/goodays-wiring.ts';
import { count, logger, metrics } from '#shared/observability.ts';
import { processGoodaysAction } from '#use-cases/goodays-actions.ts';
import { ActionMessage } from '#use-cases/goodays-operator.ts';

/** Time kept back for the last writes after the Goodays call. */
const SAFETY_MS = 5_000;

/** Sends queued operator actions to Goodays, at most once for replies and messages. */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event: SQSEvent, context: Context) => {
    const failures: { itemIdentifier: string }[] = [];
    const settings = goodaysSettings();
    for (const record of event.Records) {
      // A send needs one request timeout plus back-off; records not started in time go back.
      if (context.getRemainingTimeInMillis() < SAFETY_MS + settings.timeoutMs) {
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      try {
        const message = ActionMessage.safeParse(safeJson(record.body));
        if (!message.success) {
          logger.error('Not an action message; dropped', { messageId: record.messageId });
          count('GoodaysActionMessageInvalid');
          continue;
        }
        const outcome = await processGoodaysAction(
          {
            actionId: message.data.actionId,
            receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? '1'),
            maxReceives: settings.actionMaxReceives,
            deadline: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS,
          },
          { actions: actionStore(), threads: threadStore(), users: userCache(), api: await goodaysApi() },
        );
        logger.info('Goodays action processed', { messageId: record.messageId, actionId: message.data.actionId, ...outcome });
        if (outcome.result === 'retry') {
          count('GoodaysActionRetry');
          failures.push({ itemIdentifier: record.messageId });
        } else {
          count(`GoodaysAction_${outcome.state}`);
          if (outcome.state === 'unknown') count('GoodaysActionOutcomeUnknown');
        }
      } catch (err) {
        logger.error('Goodays action failed; handed back to the queue', { messageId: record.messageId, error: err as Error });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  });

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
