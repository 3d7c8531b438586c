import { ValidationError } from '#platform/errors.ts';
import { json, queryParams, type HttpEvent, type HttpResult } from '#platform/http.ts';
import { count, logger } from '#platform/observability.ts';
import { parseInput } from '#platform/validation.ts';
import { BackfillQuery, EraseQuery, ExportQuery, TimelineQuery, subjectIdentifiers } from '#customers/domain/schemas.ts';
import { backfillDeps, customerIndex, customersConfig, deadline, eraseDeps, readRef, refExists } from '#customers/adapters/wiring.ts';
import { backfill, erasePerson, exportPerson, timeline } from './customers.ts';

/** The operator API's customer routes: each parses its query, calls one use case and answers JSON. */

type Context = { getRemainingTimeInMillis(): number };

function subjectOf(q: { readonly phone?: string; readonly email?: string }): string[] {
  const { ids, issues } = subjectIdentifiers(q, customersConfig().country);
  if (issues.length) throw new ValidationError('Invalid query', issues);
  return ids;
}

/** Who asked for an erasure: `X-Requested-By` (a name or e-mail of the operator), kept in the audit record. */
function requestedBy(event: HttpEvent): string {
  const by = event.headers?.['x-requested-by']?.trim();
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (!by || by.length > 200 || /[\u0000-\u001f\u007f]/.test(by)) throw new ValidationError('Invalid request', [{ name: 'X-Requested-By', detail: 'required, 1-200 characters: who asks for the erasure' }]);
  return by;
}

export async function timelineRoute(event: HttpEvent): Promise<HttpResult> {
  const q = parseInput(TimelineQuery, queryParams(event), 'Invalid query');
  return json(200, await timeline(customerIndex(), subjectOf(q), q.limit, q.cursor, refExists));
}

export async function exportRoute(event: HttpEvent): Promise<HttpResult> {
  const q = parseInput(ExportQuery, queryParams(event), 'Invalid query');
  return json(200, await exportPerson(customerIndex(), readRef, subjectOf(q), new Date(), q.cursor));
}

export async function eraseRoute(event: HttpEvent, context: Context): Promise<HttpResult> {
  const q = parseInput(EraseQuery, queryParams(event), 'Invalid query');
  const subject = subjectOf(q);
  const by = requestedBy(event);
  const answer = await erasePerson(await eraseDeps(deadline(context)), subject, by, q.suppress);
  const erased = Object.values(answer.counts).reduce((a, b) => a + b, 0);
  if (answer.complete) count('CustomerErasures');
  count('CustomerItemsErased', erased);
  logger.info('Customer erasure', { erasureId: answer.erasureId, complete: answer.complete, counts: answer.counts });
  return json(200, answer);
}

export async function backfillRoute(event: HttpEvent, context: Context): Promise<HttpResult> {
  const { cursor } = parseInput(BackfillQuery, queryParams(event), 'Invalid query');
  return json(200, await backfill(backfillDeps(deadline(context)), cursor));
}
