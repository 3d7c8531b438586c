import { getActionRoute, getResponseRoute, listResponsesRoute, requestActionRoute, resolveActionRoute } from '#goodays/adapters/operator-api.ts';
import { operatorApi } from '#platform/operator-api.ts';

/**
 * Operator API for Goodays threads and actions (`Authorization: Bearer <HUB_OPERATOR_TOKEN>`); the
 * keys are the routes of the function's topology declaration.
 */
export const handler = operatorApi({
  'GET /goodays/responses': listResponsesRoute,
  'GET /goodays/responses/{id}': getResponseRoute,
  'POST /goodays/responses/{id}/{action}': requestActionRoute,
  'GET /goodays/actions/{actionId}': getActionRoute,
  'POST /goodays/actions/{actionId}/resolve': resolveActionRoute,
});
