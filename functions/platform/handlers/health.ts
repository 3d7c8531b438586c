import { httpHandler, json } from '#platform/http.ts';

/** GET /health: answers 200 without a token so load balancers and people can check the hub is up. */
export const handler = httpHandler(async () => json(200, { status: 'ok', service: 'switchboard' }));
