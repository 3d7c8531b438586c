import { secretValue } from '#platform/config.ts';
import { logger } from '#platform/observability.ts';
import { eventPublisher } from '#platform/outbound/publisher.ts';
import { deadlineOf, timeBudget, type RemainingTime } from '#platform/time-budget.ts';
import { RungopherClient } from '#rungopher/adapters/client.ts';
import { cursorStore, pollerConfig, quarantineStore, storePorts } from '#rungopher/adapters/wiring.ts';
import { pollRungopherResults, type PollOutcome } from './poll-results.ts';
import { storeRungopherResult } from './store-result.ts';

/**
 * One scheduled poll with the deployed adapters: the API key read from the `rungopher` secret on every
 * run (so a rotation reaches warm functions), results stored through the same store as the webhook,
 * the run's deadline its Lambda time less `RUNGOPHER_POLL_MARGIN_SECONDS`. Logs a summary without
 * personal data and throws when the poll needs a person (vendor 4xx, storage errors).
 */
export async function pollerRun(context: RemainingTime, count: (name: string, value: number) => void): Promise<PollOutcome> {
  const config = pollerConfig();
  const apiKey = await secretValue('rungopher', 'RUNGOPHER_API_KEY');
  const store = { ...storePorts(), events: eventPublisher() };
  const outcome = await pollRungopherResults(
    {
      source: new RungopherClient({ baseUrl: config.baseUrl, apiKey }),
      sink: { store: (result, raw) => storeRungopherResult(store, result, raw, { source: 'poller' }) },
      cursors: cursorStore(),
      quarantine: quarantineStore(),
      count,
    },
    {
      lookbackMs: config.lookbackMinutes * 60_000,
      startMs: Date.parse(config.start),
      deadlineMs: deadlineOf(timeBudget(context, { reserveMs: config.marginSeconds * 1000 })),
      storeConcurrency: config.storeConcurrency,
      endpoints: config.endpoints,
      requestTimeoutMs: config.requestTimeoutSeconds * 1000,
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
}
