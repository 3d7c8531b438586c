import * as z from 'zod';
import { PROBLEM_TYPES } from './problem.ts';

/** The problem document's schema for the OpenAPI document (`problem.ts` builds the answers). */

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

