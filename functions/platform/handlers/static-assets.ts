import { staticSite } from '#platform/static-site.ts';

/**
 * The OpenAPI document and its rendered reference, and the operator console (its page asks for the
 * token and calls the operator API), without a token; also API Gateway's `$default` route, so a
 * request no route matches gets a 404 problem document.
 */
export const handler = staticSite(['GET /openapi.json', 'GET /docs', 'GET /docs/{asset}', 'GET /console', 'GET /console/{asset}']);
