import * as z from 'zod';
import type { HttpResult } from './http.ts';

/**
 * The hub's one error format: RFC 9457 problem details (`application/problem+json`). Every 4xx and
 * 5xx a hub function answers, on operator routes and webhooks alike, is one of these; the OpenAPI
 * document describes them from {@link ProblemSchema}.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * The problem types the hub answers, by status. `type` is a URN (RFC 9457 allows any URI; these are
 * names, not pages to fetch); `title` is the same for every occurrence of a type, `detail` says what
 * happened this time.
 */
export const PROBLEM_TYPES = {
  400: { type: 'urn:switchboard:problem:invalid-request', title: 'Invalid request' },
  401: { type: 'urn:switchboard:problem:unauthorized', title: 'Unauthorized' },
  404: { type: 'urn:switchboard:problem:not-found', title: 'Not found' },
  405: { type: 'urn:switchboard:problem:method-not-allowed', title: 'Method not allowed' },
  409: { type: 'urn:switchboard:problem:conflict', title: 'Conflict' },
  413: { type: 'urn:switchboard:problem:payload-too-large', title: 'Payload too large' },
  500: { type: 'urn:switchboard:problem:internal-error', title: 'Internal error' },
  503: { type: 'urn:switchboard:problem:unavailable', title: 'Service unavailable' },
} as const;

export type ProblemStatus = keyof typeof PROBLEM_TYPES;

/** One bad parameter, as {@link ValidationError} names it. */
export const IssueSchema = z.object({
  name: z.string().meta({ description: 'The query or path parameter or header (`limit`, `cursor`, `Idempotency-Key`), or `body` / `body.<field>` for a JSON body.' }),
  detail: z.string().meta({ description: 'Why the value is refused.' }),
});

/** A problem document (RFC 9457); extension members (`allowed`, `state`, `actionId`) may follow. */
export const ProblemSchema = z
  .looseObject({
    type: z.string().meta({ description: 'A URN naming the kind of problem; the same for every occurrence.', example: PROBLEM_TYPES[400].type }),
    title: z.string().meta({ description: 'A short summary of the type.', example: PROBLEM_TYPES[400].title }),
    status: z.number().int().min(400).max(599).meta({ description: 'The HTTP status code.', example: 400 }),
    detail: z.string().meta({ description: 'What happened this time.', example: 'Invalid query' }),
    errors: z.array(IssueSchema).optional().meta({ description: 'Each bad parameter (400 only).' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details, answered as application/problem+json.' });
export type Problem = z.infer<typeof ProblemSchema>;

/** A problem document for `status`, with `detail` and any extension members. */
export function problemBody(status: ProblemStatus, detail: string, extensions: Readonly<Record<string, unknown>> = {}): Problem {
  // The standard members are written last so no extension can replace them.
  return { ...extensions, ...PROBLEM_TYPES[status], status, detail };
}

/** An `application/problem+json` response. */
export function problem(status: ProblemStatus, detail: string, extensions: Readonly<Record<string, unknown>> = {}, headers: Record<string, string> = {}): HttpResult {
  return { statusCode: status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers }, body: JSON.stringify(problemBody(status, detail, extensions)) };
}
