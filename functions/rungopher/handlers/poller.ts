import * as z from 'zod';
import { dynamoCursorStore } from '#platform/cursor-store.ts';
import { dynamoQuarantine } from '#platform/quarantine.ts';
import { RungopherClient, RUNGOPHER_DEFAULT_BASE_URL } from '#rungopher/adapters/client.ts';
import { dynamoContactTable, dynamoResultTable } from '#rungopher/adapters/store.ts';
import { RESULT_ENDPOINTS, type ResultEndpoint } from '#rungopher/domain/results-polling.ts';
import { pollRungopherResults, type PollOutcome } from '#rungopher/use-cases/poll-results.ts';
import { storeRungopherResult } from '#rungopher/use-cases/store-result.ts';
import { optionalEnv, secretValue, tableName } from '#platform/config.ts';
import { count, logger } from '#platform/observability.ts';
import { scheduledHandler } from '#platform/schedule.ts';

/**
 * Scheduled Rungopher results poller (EventBridge, every 5 minutes by default). Settings:
 * - `RUNGOPHER_POLL_LOOKBACK_MINUTES` (default 15): how far behind its cursor each poll re-reads;
 * - `RUNGOPHER_POLL_START` (default 2017-01-01T00:00:00Z): where an endpoint with no cursor starts;
 * - `RUNGOPHER_POLL_MARGIN_SECONDS` (default 5): time kept back before the Lambda timeout;
 * - `RUNGOPHER_POLL_ENDPOINTS` (default all 12): comma-separated result names to poll;
 * - `RUNGOPHER_POLL_STORE_CONCURRENCY` (default 8): results stored in parallel;
 * - `RUNGOPHER_POLL_REQUEST_TIMEOUT_SECONDS` (default 30): longest one endpoint read may take (a first
 *   run returns everything since RUNGOPHER_POLL_START in one response).
 */
const lookbackMinutes = optionalEnv('RUNGOPHER_POLL_LOOKBACK_MINUTES', z.coerce.number().min(0).max(24 * 60), 15);
const startMs = Date.parse(optionalEnv('RUNGOPHER_POLL_START', z.iso.datetime({ offset: true }), '2017-01-01T00:00:00Z'));
const marginMs = optionalEnv('RUNGOPHER_POLL_MARGIN_SECONDS', z.coerce.number().min(0).max(300), 5) * 1000;
const requestTimeoutMs = optionalEnv('RUNGOPHER_POLL_REQUEST_TIMEOUT_SECONDS', z.coerce.number().positive().max(900), 30) * 1000;
const storeConcurrency = optionalEnv('RUNGOPHER_POLL_STORE_CONCURRENCY', z.coerce.number().int().min(1).max(64), 8);
const endpoints = optionalEnv(
  'RUNGOPHER_POLL_ENDPOINTS',
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(RESULT_ENDPOINTS)).min(1)),
  [...RESULT_ENDPOINTS] as ResultEndpoint[],
);
const baseUrl = optionalEnv('RUNGOPHER_BASE_URL', z.url(), RUNGOPHER_DEFAULT_BASE_URL);

const storePorts = { results: dynamoResultTable(tableName('rungopher-results')), contacts: dynamoContactTable(tableName('rungopher-contacts')) };
const cursors = dynamoCursorStore(tableName('cursors'));
const quarantine = dynamoQuarantine(tableName('quarantine'));

/** Polls the 12 result endpoints once; fails the invocation (for the errors alarm) on vendor 4xx or storage errors. */
export const handler = scheduledHandler(async (_event, context): Promise<PollOutcome> => {
    const apiKey = await secretValue('rungopher', 'RUNGOPHER_API_KEY');
    const client = new RungopherClient({ baseUrl, apiKey });
    const outcome = await pollRungopherResults(
      {
        source: client,
        sink: { store: (result, raw) => storeRungopherResult(storePorts, result, raw, { source: 'poller' }) },
        cursors,
        quarantine,
        count,
      },
      {
        lookbackMs: lookbackMinutes * 60_000,
        startMs,
        deadlineMs: Date.now() + context.getRemainingTimeInMillis() - marginMs,
        storeConcurrency,
        endpoints,
        requestTimeoutMs,
      },
    );
    const summary = {
      stored: outcome.stored,
      duplicates: outcome.duplicates,
      endpoints: outcome.endpoints.map((e) => ({ endpoint: e.endpoint, status: e.status, after: e.after, read: e.read, stored: e.stored, cursorTo: e.cursorTo })),
    };
    if (outcome.stopped) logger.warn('Rungopher poll ended early; the next run resumes from the cursors', { stopped: outcome.stopped, ...summary });
    else logger.info('Rungopher poll finished', summary);
    if (outcome.errors.length) throw new Error(`Rungopher poll failed: ${outcome.errors.join('; ')}`);
    return outcome;
  });
