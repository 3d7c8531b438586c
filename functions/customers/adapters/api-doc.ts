import * as z from 'zod';
import type { ApiDoc } from '#platform/api-doc.ts';
import { INTERNAL, INVALID, UNAUTHORIZED } from '#platform/api-doc.ts';
import { BackfillAnswer, BackfillQuery, EraseQuery, ErasureAnswer, ExportPart, ExportQuery, TimelinePage, TimelineQuery } from '#customers/domain/schemas.ts';

/** The customer routes for the OpenAPI document (`infra/openapi/`); no handler imports this. */

const TAG = 'Customers';
const SUBJECT = 'Give `phone` (E.164, or national in `CUSTOMER_DEFAULT_COUNTRY`), `email`, or both; a bad or missing one is a 400 naming it.';

export const routes: ApiDoc = {
  'GET /customers': {
    summary: "One customer's timeline across vendors, newest first",
    description: `Every record any vendor gave about the person (results and views, feedback threads with their replies and actions, chatbot users and transcripts), each with its vendor, kind, time and a link to its full record. Only records still stored are listed: one expired by retention or deleted is left out, whatever the identity index still holds. ${SUBJECT}`,
    tag: TAG,
    query: TimelineQuery,
    responses: { 200: { description: 'A page of the timeline.', schema: TimelinePage }, 400: INVALID, 401: UNAUTHORIZED, 500: INTERNAL },
  },
  'GET /customers/export': {
    summary: 'Everything the hub holds about the person, as JSON (an access request), in parts of at most about 5 MB',
    description: `Follow \`nextCursor\` (with the same phone/email) to the last part. ${SUBJECT}`,
    tag: TAG,
    query: ExportQuery,
    responses: { 200: { description: 'A part of the export.', schema: ExportPart }, 400: INVALID, 401: UNAUTHORIZED, 500: INTERNAL },
  },
  'DELETE /customers': {
    summary: 'Erase or anonymise every item about the person in every table',
    description: `Every record the identity index names, with what goes with it (contact views, threads, actions, the outbound delivery records of the events about it), the quarantined bodies carrying the person's identifiers, their ids in poller cursors, and the index rows; \`counts\` says how many items per table (\`outbound-deliveries\` among them). Idempotent and resumable: call again with the same query while \`complete\` is false. An audit record keeps who (\`X-Requested-By\`), when and a keyed hash of the identifier, never the identifier; \`suppress=true\` also keeps later webhooks and polls about the person from being stored. ${SUBJECT}`,
    tag: TAG,
    query: EraseQuery,
    headers: { 'X-Requested-By': { description: 'Who asks for the erasure (a name or e-mail, 1–200 characters), kept in the audit record.', schema: z.string().min(1).max(200) } },
    responses: { 200: { description: 'Counts per table.', schema: ErasureAnswer }, 400: INVALID, 401: UNAUTHORIZED, 500: INTERNAL },
  },
  'POST /customers/backfill': {
    summary: 'Index records stored before the identity index existed (idempotent, resumable)',
    description: 'Call again with `nextCursor` as `cursor` until it is null. Run after an upgrade too: rows already there are rewritten with what the current version links (e.g. the outbound delivery records of each record).',
    tag: TAG,
    query: BackfillQuery,
    responses: { 200: { description: 'What this call scanned and linked.', schema: BackfillAnswer }, 400: INVALID, 401: UNAUTHORIZED, 500: INTERNAL },
  },
};
