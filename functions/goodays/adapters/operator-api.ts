import { headerValue } from '#goodays/domain/signature.ts';
import { getAction, getResponse, listResponses, requestAction, resolveAction } from '#goodays/use-cases/operator.ts';
import type { Route } from '#platform/http.ts';
import { bodyText, json, queryParams } from '#platform/http.ts';
import { count } from '#platform/observability.ts';
import { operatorApiConfig } from './wiring.ts';

/**
 * The routes of the Goodays operator API: each reads its part of the request, calls one operator use
 * case and answers. The bearer check and dispatch are the kit's (`operatorApi`). A missing path
 * parameter reads as '' so the use case refuses it with a 400.
 */

/** `GET /goodays/responses?state=&limit=&cursor=` */
export const listResponsesRoute: Route = async (event) => json(200, await listResponses(queryParams(event), operatorApiConfig()));

/** `GET /goodays/responses/{id}` */
export const getResponseRoute: Route = async (event) => json(200, await getResponse(event.pathParameters?.id ?? '', operatorApiConfig()));

/** `POST /goodays/responses/{id}/{action}`: 202 with the action, and where to follow it. */
export const requestActionRoute: Route = async (event) => {
  const p = event.pathParameters ?? {};
  const { view, replayed } = await requestAction(
    { responseId: p.id ?? '', action: p.action ?? '', body: bodyText(event), idempotencyKey: headerValue(event.headers, 'idempotency-key') },
    operatorApiConfig(),
  );
  count(replayed ? 'GoodaysActionReplayed' : 'GoodaysActionAccepted');
  return json(202, { actionId: view.actionId, state: view.state, replayed, action: view }, { location: `/goodays/actions/${view.actionId}` });
};

/** `GET /goodays/actions/{actionId}` */
export const getActionRoute: Route = async (event) => json(200, await getAction(event.pathParameters?.actionId ?? '', operatorApiConfig()));

/** `POST /goodays/actions/{actionId}/resolve`: a person's decision on an unknown outcome. */
export const resolveActionRoute: Route = async (event) => json(200, await resolveAction(event.pathParameters?.actionId ?? '', bodyText(event), operatorApiConfig()));
