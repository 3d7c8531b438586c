import { staticSite } from '#platform/static-site.ts';

/**
 * The OpenAPI document and its rendered reference, without a token; also API Gateway's `$default`
 * route, so a request no route matches gets a 404 problem document.
 */
export const handler = staticSite(['GET /openapi.json', 'GET /docs', 'GET /docs/{asset}']);
