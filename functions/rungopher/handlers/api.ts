import { dynamoContactTable, dynamoResultTable } from '#rungopher/adapters/store.ts';
import { getContactView, listResults, parseResultsQuery } from '#rungopher/use-cases/query.ts';
import { replayRungopherResults } from '#rungopher/use-cases/replay.ts';
import { secretValue, tableName } from '#platform/config.ts';
import { NotFoundError } from '#platform/errors.ts';
import { httpHandler, json, queryParams, requireBearer } from '#platform/http.ts';

const results = dynamoResultTable(tableName('rungopher-results'));
const contacts = dynamoContactTable(tableName('rungopher-contacts'));
/**
 * A replay call stops reading after this long: API Gateway gives the whole request 30 s, cold start
 * included, which the Lambda's remaining time does not show.
 */
const REPLAY_BUDGET_MS = 20_000;
/** Time kept back at the end of the invocation for the answer. */
const SAFETY_MS = 2_000;

/**
 * Operator read API for Rungopher:
 * - GET /rungopher/results?campaignId=&contactId=&resultName=&after=&limit=&cursor=
 * - GET /rungopher/campaigns/{campaignId}/contacts/{contactId}
 * - POST /rungopher/replay?cursor= — fold stored results into the contact views again (paged by time)
 */
export const handler = httpHandler(async (event, context) => {
  requireBearer(event, await secretValue('hub', 'HUB_OPERATOR_TOKEN'));
  switch (event.routeKey) {
    case 'GET /rungopher/results':
      return json(200, await listResults(results, parseResultsQuery(queryParams(event))));
    case 'GET /rungopher/campaigns/{campaignId}/contacts/{contactId}': {
      const { campaignId, contactId } = event.pathParameters ?? {};
      if (!campaignId || !contactId) throw new NotFoundError('Route needs campaignId and contactId');
      return json(200, await getContactView(contacts, campaignId, contactId));
    }
    case 'POST /rungopher/replay': {
      const outcome = await replayRungopherResults(
        { results, contacts },
        { ...(queryParams(event).cursor ? { cursor: queryParams(event).cursor } : {}), deadlineMs: Date.now() + Math.min(REPLAY_BUDGET_MS, context.getRemainingTimeInMillis() - SAFETY_MS) },
      );
      return json(200, outcome);
    }
    default:
      throw new NotFoundError(`No route ${event.routeKey}`);
  }
});
