import { operatorApi } from '#platform/operator-api.ts';
import { operatorRoutes } from '#platform/operator-routes.ts';

/**
 * The hub's own operator routes: `GET /status`, the quarantine (list, get, retry), queues and DLQs
 * (depth, redrive) and poller streams (list, get, reset, backfill). Routes in `operator-routes.ts`.
 */
export const handler = operatorApi(operatorRoutes);
