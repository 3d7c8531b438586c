import { createHash, timingSafeEqual } from 'node:crypto';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ConflictError, NotFoundError, PayloadTooLargeError, UnauthorizedError, ValidationError } from './errors.ts';
import { logger, metrics } from './observability.ts';
import { problem } from './problem.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** A JSON response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** The exact bytes the caller sent, decoded from base64 when API Gateway says so. */
export function rawBody(event: HttpEvent): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/**
 * Compares two secrets in constant time. Both sides are hashed first so that neither the length nor
 * the content of the expected value leaks through timing.
 */
export function constantTimeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** Checks `Authorization: Bearer <token>` against the operator token; throws 401 otherwise. */
export function requireBearer(event: HttpEvent, expected: string): void {
  const header = event.headers?.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1] || !constantTimeEqual(match[1], expected)) {
    throw new UnauthorizedError('Missing or wrong operator token: send Authorization: Bearer <HUB_OPERATOR_TOKEN>');
  }
}

/**
 * Maps an error class to an RFC 9457 problem response (`problem.ts`); anything unclassified is a 500
 * whose details stay in the log.
 */
export function errorResponse(err: unknown): HttpResult {
  if (err instanceof ValidationError) return problem(400, err.message, { errors: err.issues });
  if (err instanceof UnauthorizedError) return problem(401, err.message, {}, { 'www-authenticate': 'Bearer' });
  if (err instanceof NotFoundError) return problem(404, err.message);
  if (err instanceof ConflictError) return problem(409, err.message, err.details);
  if (err instanceof PayloadTooLargeError) return problem(413, err.message);
  logger.error('Unhandled error', { error: err as Error });
  return problem(500, 'Internal error; the request can be retried');
}

/**
 * Wraps an HTTP handler: request id in every log line, metrics flushed after each call, errors mapped
 * to status codes last.
 */
export function httpHandler(fn: (event: HttpEvent, context: Context) => Promise<HttpResult>) {
  return middy<HttpEvent, HttpResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use({
      before: (request) => {
        logger.appendKeys({ requestId: request.event.requestContext?.requestId, route: request.event.routeKey });
      },
      onError: (request) => {
        request.response = errorResponse(request.error);
      },
    })
    .handler(fn);
}

/** The body as UTF-8 text, or undefined when the request has none. */
export function bodyText(event: HttpEvent): string | undefined {
  return event.body === undefined || event.body === null ? undefined : rawBody(event).toString('utf8');
}

/** One route of an API: the event in, the answer out. */
export type Route = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/** The query string's values (API Gateway joins repeated keys with commas). */
export function queryParams(event: HttpEvent): Record<string, string> {
  return Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
