import { json, queryParams } from '#platform/http.ts';
import { operatorApi } from '#platform/operator-api.ts';
import { storePorts } from '#rungopher/adapters/wiring.ts';
import { getContactView, listResults, parseResultsQuery } from '#rungopher/use-cases/query.ts';
import { replayDeadline, replayRungopherResults } from '#rungopher/use-cases/replay.ts';

/**
 * Operator read API for Rungopher:
 * - GET /rungopher/results?campaignId=&contactId=&resultName=&after=&limit=&cursor=
 * - GET /rungopher/campaigns/{campaignId}/contacts/{contactId}
 * - POST /rungopher/replay?cursor= — fold stored results into the contact views again (paged)
 */
export const handler = operatorApi({
  'GET /rungopher/results': async (event) => json(200, await listResults(storePorts().results, parseResultsQuery(queryParams(event)))),
  'GET /rungopher/campaigns/{campaignId}/contacts/{contactId}': async (event) => json(200, await getContactView(storePorts().contacts, event.pathParameters ?? {})),
  'POST /rungopher/replay': async (event, context) =>
    json(200, await replayRungopherResults(storePorts(), { cursor: queryParams(event).cursor, deadlineMs: replayDeadline(context) })),
});
