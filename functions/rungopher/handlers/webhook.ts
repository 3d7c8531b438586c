import { pathToken, webhookHandler } from '#platform/webhook.ts';
import { parseResult } from '#rungopher/domain/result.ts';
import { resultStorability, resultTextStorability } from '#rungopher/use-cases/result-row.ts';

/**
 * POST /webhooks/rungopher/{token}. Rungopher cannot sign, so the path carries the secret. Answered
 * 200 only once the body is queued (or, authentic but not a result or not storable, quarantined): Rungopher resends
 * every 5 minutes, for ever, anything it got no 200 for.
 */
export const handler = webhookHandler({
  vendor: 'rungopher',
  authenticate: pathToken('rungopher', 'RUNGOPHER_WEBHOOK_TOKEN'),
  parse: (text) => {
    const parsed = parseResult(text);
    return parsed.ok ? { ok: true, ids: { resultId: parsed.result.id }, value: parsed } : parsed;
  },
  // The row and view slots it will write, checked before the 200: what cannot be stored is quarantined.
  storable: (text, read) => (read ? resultStorability(read.result, text, read.json) : resultTextStorability(text)),
  queue: 'rungopher-results',
  metrics: { accepted: 'WebhooksAccepted', quarantined: 'WebhooksQuarantined', rejected: 'WebhooksRejected', oversized: 'WebhooksOversized' },
});
