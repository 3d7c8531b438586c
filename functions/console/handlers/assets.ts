import { consoleAsset } from '#console/serve.ts';
import { httpHandler } from '#platform/http.ts';

const routes: Readonly<Record<string, typeof consoleAsset>> = {
  'GET /console': consoleAsset,
  'GET /console/{asset}': consoleAsset,
};

/** GET /console and its files: the operator console, without a token (the page asks for one). */
export const handler = httpHandler(async (event) => (routes[event.routeKey] ?? consoleAsset)(event));
