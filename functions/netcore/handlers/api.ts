import { netcoreReader } from '#netcore/adapters/wiring.ts';
import { listTranscripts, listUsers, showUsage, showUser } from '#netcore/use-cases/read-api.ts';
import { json, queryParams } from '#platform/http.ts';
import { operatorApi } from '#platform/operator-api.ts';

/**
 * Operator read API for Netcore data (Authorization: Bearer HUB_OPERATOR_TOKEN):
 * - `GET /netcore/users?channelId=&after=&limit=&cursor=`: users by last activity, oldest first.
 * - `GET /netcore/users/{botUserId}`: one user on each channel, with custom fields and tags.
 * - `GET /netcore/users/{botUserId}/transcripts?channelId=&after=&limit=&cursor=`: messages in time order.
 * - `GET /netcore/usage?month=YYYY-MM&channelId=`: monthly totals (`channelId=all` for the bot total).
 */
export const handler = operatorApi({
  'GET /netcore/users': async (event) => json(200, await listUsers(netcoreReader(), queryParams(event))),
  'GET /netcore/users/{botUserId}': async (event) => json(200, await showUser(netcoreReader(), event.pathParameters?.botUserId)),
  'GET /netcore/users/{botUserId}/transcripts': async (event) =>
    json(200, await listTranscripts(netcoreReader(), event.pathParameters?.botUserId, queryParams(event))),
  'GET /netcore/usage': async (event) => json(200, await showUsage(netcoreReader(), queryParams(event), new Date())),
});
