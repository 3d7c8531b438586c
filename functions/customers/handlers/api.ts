import { operatorApi } from '#platform/operator-api.ts';
import { backfillRoute, eraseRoute, exportRoute, timelineRoute } from '#customers/use-cases/routes.ts';

/**
 * Operator API for one customer across vendors:
 * - GET /customers?phone=&email=&limit=&cursor= — the timeline, newest first
 * - GET /customers/export?phone=&email= — everything held, as one JSON document
 * - DELETE /customers?phone=&email=&suppress= — erasure (X-Requested-By: who asks), resumable
 * - POST /customers/backfill?cursor= — index what was stored before the index (paged)
 */
export const handler = operatorApi({
  'GET /customers': timelineRoute,
  'GET /customers/export': exportRoute,
  'DELETE /customers': eraseRoute,
  'POST /customers/backfill': backfillRoute,
});
