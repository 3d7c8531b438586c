import { operatorApi } from '#platform/operator-api.ts';
import { campaignRoutes } from '#rungopher/adapters/campaign-routes.ts';

/**
 * Operator API for Rungopher campaign work through the hub (the vendor's key stays in the hub's
 * secret): templates, campaigns (list, get, create, edit), contact uploads as jobs, journey contact
 * update and the cost estimate. Routes in `adapters/campaign-routes.ts`.
 */
export const handler = operatorApi(campaignRoutes);
