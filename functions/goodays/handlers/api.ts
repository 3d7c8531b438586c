import { actionQueue, actionStore, goodaysSettings, threadStore } from '#goodays/adapters/wiring.ts';
import { secretValue } from '#platform/config.ts';
import { NotFoundError } from '#platform/errors.ts';
import type { HttpEvent } from '#platform/http.ts';
import { httpHandler, json, queryParams, rawBody, requireBearer } from '#platform/http.ts';
import { headerValue } from '#goodays/domain/signature.ts';
import { count } from '#platform/observability.ts';
import { getAction, getResponse, listResponses, requestAction, resolveAction } from '#goodays/use-cases/operator.ts';

/**
 * Operator API for Goodays threads and actions (`Authorization: Bearer <HUB_OPERATOR_TOKEN>`):
 * GET /goodays/responses, GET /goodays/responses/{id}, POST /goodays/responses/{id}/{action},
 * GET /goodays/actions/{actionId}, POST /goodays/actions/{actionId}/resolve.
 */
export const handler = httpHandler(async (event) => {
  requireBearer(event, await secretValue('hub', 'HUB_OPERATOR_TOKEN'));
  const deps = { threads: threadStore(), actions: actionStore(), queue: actionQueue(), nativeSources: goodaysSettings().nativeSources };
  const p = event.pathParameters ?? {};
  switch (event.routeKey) {
    case 'GET /goodays/responses':
      return json(200, await listResponses(queryParams(event), deps));
    case 'GET /goodays/responses/{id}':
      return json(200, await getResponse(p.id ?? '', deps));
    case 'POST /goodays/responses/{id}/{action}': {
      const { view, replayed } = await requestAction(
        { responseId: p.id ?? '', action: p.action ?? '', body: bodyText(event), idempotencyKey: headerValue(event.headers, 'idempotency-key') },
        deps,
      );
      count(replayed ? 'GoodaysActionReplayed' : 'GoodaysActionAccepted');
      return json(202, { actionId: view.actionId, state: view.state, replayed, action: view }, { location: `/goodays/actions/${view.actionId}` });
    }
    case 'GET /goodays/actions/{actionId}':
      return json(200, await getAction(p.actionId ?? '', deps));
    case 'POST /goodays/actions/{actionId}/resolve':
      return json(200, await resolveAction(p.actionId ?? '', bodyText(event), deps));
    default:
      throw new NotFoundError(`No route ${event.routeKey}`);
  }
});

function bodyText(event: HttpEvent): string | undefined {
  return event.body === undefined || event.body === null ? undefined : rawBody(event).toString('utf8');
}
