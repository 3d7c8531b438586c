import { json, queryParams } from '#platform/http.ts';
import { operatorApi } from '#platform/operator-api.ts';
import { deadlineOf, timeBudget } from '#platform/time-budget.ts';
import { storePorts } from '#rungopher/adapters/wiring.ts';
import { getContactView, listResults, parseResultsQuery } from '#rungopher/use-cases/query.ts';
import { replayRungopherResults } from '#rungopher/use-cases/replay.ts';

/** Time kept back at the end of the invocation for the answer. */
const SAFETY_MS = 2_000;
/** A replay call stops reading after 20 s: API Gateway gives the whole request 30 s, cold start included. */
const REPLAY_CAP_MS = 20_000 + SAFETY_MS;

/**
 * Operator read API for Rungopher:
 * - GET /rungopher/results?campaignId=&contactId=&resultName=&after=&limit=&cursor=
 * - GET /rungopher/campaigns/{campaignId}/contacts/{contactId}
 * - POST /rungopher/replay?cursor= — fold stored results into the contact views again (paged)
 */
export const handler = operatorApi({
  'GET /rungopher/results': async (event) => json(200, await listResults(storePorts().results, parseResultsQuery(queryParams(event)))),
  'GET /rungopher/campaigns/{campaignId}/contacts/{contactId}': async (event) => json(200, await getContactView(storePorts().contacts, event.pathParameters ?? {})),
  'POST /rungopher/replay': async (event, context) => {
    const deadlineMs = deadlineOf(timeBudget(context, { reserveMs: SAFETY_MS, capMs: REPLAY_CAP_MS }));
    return json(200, await replayRungopherResults(storePorts(), { cursor: queryParams(event).cursor, deadlineMs }));
  },
});
