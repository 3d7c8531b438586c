import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** CloudWatch namespace for every metric the hub emits; the dashboard reads the same constant. */
export const METRICS_NAMESPACE = 'Switchboard';

/**
 * One logger per process. Powertools writes structured JSON with the Lambda context; handlers append
 * `requestId`, `messageId` and the vendor's id as keys so a result can be followed from the webhook
 * to the stored item.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'switchboard' });

/** One metrics buffer per process, flushed by the middy middleware after each invocation (EMF). */
export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'switchboard',
  // Routes like /health emit no metric; Metrics would warn about that on every call. Its own
  // messages go through a logger that keeps errors only.
  logger: logger.createChild({ logLevel: 'ERROR' }),
});

export { MetricUnit };

/** Adds one to a count metric. */
export function count(name: string, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}
