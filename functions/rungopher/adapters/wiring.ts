import * as z from 'zod';
import { dynamoCursorStore } from '#platform/cursor-store.ts';
import { functionConfig, secretValue, setting } from '#platform/config.ts';
import { sqsJsonQueue } from '#platform/queue.ts';
import { RESULT_ENDPOINTS, type ResultEndpoint } from '#rungopher/domain/results-polling.ts';
import { RungopherClient, RUNGOPHER_DEFAULT_BASE_URL } from './client.ts';
import { dynamoUploadStore } from './upload-store.ts';

export { linker, processorPorts, quarantineConfig, quarantineStore, storeConfig, storePorts } from './store-wiring.ts';

/**
 * Configuration and adapters of the Rungopher functions. Each function reads only what its topology
 * declaration gives it (the bundle smoke test runs each bundle with that environment alone), so each
 * has its own config object, read on first use. The stores' and the processor's are in
 * `store-wiring.ts` (re-exported here), so the processor's bundle holds neither the vendor client
 * nor the campaign schemas.
 */

const endpointList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.enum(RESULT_ENDPOINTS)).min(1));

/**
 * The results poller's settings:
 * - `RUNGOPHER_POLL_LOOKBACK_MINUTES` (default 15): how far behind its cursor each poll re-reads;
 * - `RUNGOPHER_POLL_START` (default 2017-01-01T00:00:00Z): where an endpoint with no cursor starts;
 * - `RUNGOPHER_POLL_MARGIN_SECONDS` (default 5): time kept back before the Lambda timeout;
 * - `RUNGOPHER_POLL_ENDPOINTS` (default all 12): comma-separated result names to poll;
 * - `RUNGOPHER_POLL_STORE_CONCURRENCY` (default 8): results stored in parallel;
 * - `RUNGOPHER_POLL_REQUEST_TIMEOUT_SECONDS` (default 30): longest one endpoint read may take (a first
 *   run returns everything since RUNGOPHER_POLL_START in one response);
 * - `RUNGOPHER_BASE_URL` (default the vendor's).
 */
export const pollerConfig = functionConfig({
  lookbackMinutes: setting.optional('RUNGOPHER_POLL_LOOKBACK_MINUTES', z.coerce.number().min(0).max(24 * 60), 15),
  start: setting.optional('RUNGOPHER_POLL_START', z.iso.datetime({ offset: true }), '2017-01-01T00:00:00Z'),
  marginSeconds: setting.optional('RUNGOPHER_POLL_MARGIN_SECONDS', z.coerce.number().min(0).max(300), 5),
  requestTimeoutSeconds: setting.optional('RUNGOPHER_POLL_REQUEST_TIMEOUT_SECONDS', z.coerce.number().positive().max(900), 30),
  storeConcurrency: setting.optional('RUNGOPHER_POLL_STORE_CONCURRENCY', z.coerce.number().int().min(1).max(64), 8),
  endpoints: setting.optional<ResultEndpoint[]>('RUNGOPHER_POLL_ENDPOINTS', endpointList, [...RESULT_ENDPOINTS]),
  baseUrl: setting.optional('RUNGOPHER_BASE_URL', z.url(), RUNGOPHER_DEFAULT_BASE_URL),
  cursors: setting.table('cursors'),
});

/** The poller's cursor store over {@link pollerConfig}. */
export const cursorStore = () => dynamoCursorStore(pollerConfig().cursors);

/**
 * `rungopher-campaigns` (operator routes for campaign work) and `rungopher-uploader` (the upload
 * jobs): the uploads table, the jobs queue and the vendor's base URL; the API key is read from the
 * `rungopher` secret on every call (cached five minutes), so it never leaves the hub.
 */
export const campaignsConfig = functionConfig({
  uploads: setting.table('rungopher-uploads'),
  jobs: setting.queue('rungopher-uploads'),
  baseUrl: setting.optional('RUNGOPHER_BASE_URL', z.url(), RUNGOPHER_DEFAULT_BASE_URL),
});

/** The vendor client with the hub's own key. */
export async function campaignClient(): Promise<RungopherClient> {
  return new RungopherClient({ baseUrl: campaignsConfig().baseUrl, apiKey: await secretValue('rungopher', 'RUNGOPHER_API_KEY') });
}

/** The uploads table and the jobs queue over {@link campaignsConfig}. */
export function uploadPorts() {
  const { uploads, jobs } = campaignsConfig();
  return { store: dynamoUploadStore(uploads), queue: sqsJsonQueue<{ jobId: string }>(jobs) };
}
