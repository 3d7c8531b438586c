import * as z from 'zod';
import type { ApiDoc } from '#platform/api-doc.ts';
import { INTERNAL, INVALID, UNAUTHORIZED } from '#platform/api-doc.ts';
import { Cursor, pageSchema } from '#platform/list-page.ts';
import { ContactViewSchema, ReplayOutcomeSchema, ResultItem, ResultsQuery, WebhookAnswer } from '#rungopher/domain/views.ts';

/** The Rungopher routes for the OpenAPI document (`infra/openapi/`); no handler imports this. */

/** A result as `rungopher-results-api.txt` shows it. */
const SAMPLE_RESULT = {
  campaignId: 15,
  campaignToken: '143-dfvsm-3r3ndkd',
  contactId: '1',
  id: 110,
  resultType: 'boolean',
  resultName: 'accepted',
  data: { answer: 'yes' },
  context: 'Yes, that would be great, thanks!',
  timestamp: '2017-11-14T10:56:14Z',
};

export const routes: ApiDoc = {
  'POST /webhooks/rungopher/{token}': {
    summary: "Rungopher's result webhook",
    description:
      'Rungopher cannot sign, so the secret is the path token (compared in constant time). A result is answered 200 once it is queued; a body that is not a result, or that could not be stored, is quarantined and also answered 200 (Rungopher resends anything else every 5 minutes, forever). Rungopher ignores the answer\'s body.',
    security: 'path-token',
    path: { token: { description: 'RUNGOPHER_WEBHOOK_TOKEN from the `rungopher` secret.' } },
    body: { schema: z.record(z.string(), z.unknown()).meta({ description: 'A Rungopher result, read by the hub as Rungopher documents it.' }), example: SAMPLE_RESULT },
    responses: {
      200: { description: 'Queued, or quarantined with the reason (both are kept).', schema: WebhookAnswer, example: { status: 'queued', resultId: '110' } },
      401: { description: 'Unknown webhook token.' },
      413: { description: 'Body over WEBHOOK_MAX_BODY_BYTES; a truncated copy is quarantined once.' },
      500: { description: 'The queue refused it: Rungopher resends.' },
    },
  },
  'GET /rungopher/results': {
    summary: 'Stored results, oldest first',
    query: ResultsQuery,
    responses: {
      200: { description: 'A page of results.', schema: pageSchema(ResultItem, 'RungopherResultPage') },
      400: INVALID,
      401: UNAUTHORIZED,
      500: INTERNAL,
    },
  },
  'GET /rungopher/campaigns/{campaignId}/contacts/{contactId}': {
    summary: "A contact's view",
    description: 'The latest result per result name, opt-out, cancellation, latest e-mail, phone and address, and link clicks.',
    path: { campaignId: { description: "Rungopher's campaign id.", example: '15' }, contactId: { description: "Rungopher's contact id within the campaign.", example: '1' } },
    responses: {
      200: { description: "The contact's view.", schema: ContactViewSchema },
      400: INVALID,
      401: UNAUTHORIZED,
      404: { description: 'The hub has no result for this contact.' },
      500: INTERNAL,
    },
  },
  'POST /rungopher/replay': {
    summary: 'Fold stored results into the contact views again (one page)',
    description: 'Idempotent. Each call reads for at most 20 s; continue from `nextCursor` until it is null.',
    query: z.object({ cursor: Cursor.optional() }),
    responses: {
      200: { description: 'What this page replayed.', schema: ReplayOutcomeSchema },
      400: INVALID,
      401: UNAUTHORIZED,
      500: INTERNAL,
    },
  },
};
