import { secretValue } from './config.ts';
import { NotFoundError } from './errors.ts';
import { httpHandler, requireBearer, type Route } from './http.ts';

// Its own module, not http.ts: a function without the operator token (health, the webhooks) does not
// bundle the Secrets Manager reader through it.

/**
 * An operator API: `Authorization: Bearer <HUB_OPERATOR_TOKEN>` checked first, then the route picked
 * by API Gateway's route key (`'GET /goodays/responses'`). The keys are the routes the function's
 * topology declaration lists (a test holds the two equal); an undeclared key is a 404.
 */
export function operatorApi(routes: Readonly<Record<string, Route>>) {
  return httpHandler(async (event, context) => {
    requireBearer(event, await secretValue('hub', 'HUB_OPERATOR_TOKEN'));
    const route = Object.hasOwn(routes, event.routeKey) ? routes[event.routeKey] : undefined;
    if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
    return route(event, context);
  });
}
