import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions, LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { maskPersonalText } from './personal-text.ts';

/** CloudWatch namespace for every metric the hub emits; the dashboard reads the same constant. */
export const METRICS_NAMESPACE = 'Switchboard';

/** Keys of Powertools' own log record that a line leaves out (the function is shown by name). */
const RECORD_KEYS = new Set(['level', 'message', 'timestamp', 'service', 'cold_start', 'function_arn', 'function_memory_size', 'function_name', 'function_request_id', 'sampling_rate', 'xray_trace_id', 'tenant_id']);

/**
 * Keys whose string values are people's words or whole payloads (a message's text, a webhook body, a
 * stored raw result): printed as their length only, whatever they hold.
 */
const TEXT_KEYS = new Set(['body', 'content', 'text', 'raw', 'verbatim', 'note', 'transcript', 'transcripts', 'message_text']);

/** A value with personal data masked: phone numbers and e-mail addresses in every string, people's words by key. */
export function maskValue(value: unknown, key?: string, depth = 0): unknown {
  if (typeof value === 'string') return key !== undefined && TEXT_KEYS.has(key.toLowerCase()) ? `[${value.length} chars]` : maskPersonalText(value);
  if (value instanceof Error) return value;
  if (depth > 12 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskValue(v, key, depth + 1));
  if (value instanceof Set) return [...value].map((v) => maskValue(v, key, depth + 1));
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[maskPersonalText(k)] = maskValue(v, k, depth + 1);
  return out;
}

/**
 * The hub's one log formatter, on AWS and locally. It builds the record Powertools' default formatter
 * builds (same keys, same order), with personal data masked in every line: phone numbers keep their
 * last 3 digits (`+…678`), e-mail addresses their first letter and domain (`a…@example.com`), and
 * values under text keys (`body`, `content`, `text`, `raw`, …) only their length. Errors are masked
 * too (message and stack). Locally it renders a record as one readable line:
 * `<time> <LEVEL> <function> <message> key=value ...`, the keys being the ids a handler appended.
 */
export class HubLogFormatter extends LogFormatter {
  override formatError(error: Error): LogAttributes {
    return maskValue(super.formatError(error)) as LogAttributes;
  }

  override formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: maskPersonalText(attributes.message),
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_arn: attributes.lambdaContext?.invokedFunctionArn,
        function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
        function_name: attributes.lambdaContext?.functionName,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        sampling_rate: attributes.sampleRateValue,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(maskValue(additionalLogAttributes) as LogAttributes);
  }

  /** A record as one line: never a newline inside, values quoted only when they need it. */
  formatLine(record: LogAttributes): string {
    const head = [String(record.timestamp ?? new Date().toISOString()), String(record.level ?? 'INFO').padEnd(5), String(record.function_name ?? record.service ?? '-'), oneLine(String(record.message ?? ''))];
    const keys = Object.entries(record)
      .filter(([k, v]) => !RECORD_KEYS.has(k) && v !== undefined && v !== null && v !== '')
      .map(([k, v]) => `${k}=${lineValue(v, this)}`);
    return [...head, ...keys].join(' ');
  }
}

function oneLine(s: string): string {
  return s.replace(/[\r\n\t]+/g, ' ');
}

function lineValue(v: unknown, formatter: LogFormatter): string {
  if (v instanceof Error) {
    const e = formatter.formatError(v);
    return JSON.stringify(`${String(e.name)}: ${oneLine(String(e.message))}${e.location ? ` (${String(e.location)})` : ''}`);
  }
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return '[unserializable]';
  }
}

/** Log line format: `line` when the local runtime says so (`SWITCHBOARD_LOG_FORMAT=line`), else Powertools' JSON. */
export type LogFormat = 'json' | 'line';

/** Powertools' Logger that prints a line instead of JSON in `line` format; its children print alike. */
export class HubLogger extends Logger {
  readonly #format: LogFormat;
  readonly #formatter = new HubLogFormatter();

  constructor(options: ConstructorOptions = {}, format: LogFormat = 'json') {
    // logFormatter and logRecordOrder exclude each other in the options' type; this logger takes no record order.
    // The formatter is installed in both formats: it is where personal data is masked.
    super({ ...options, logFormatter: new HubLogFormatter() } as ConstructorOptions);
    this.#format = format;
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new HubLogger(options, this.#format);
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (this.#format === 'json') return super.printLog(logLevel, log);
    log.prepareForPrint();
    const line = this.#formatter.formatLine(log.getAttributes());
    // Powertools' levels: 8 TRACE, 12 DEBUG, 16 INFO, 20 WARN, 24 ERROR, 28 CRITICAL.
    if (logLevel >= 24) console.error(line);
    else if (logLevel >= 20) console.warn(line);
    else console.log(line);
  }
}

/**
 * One logger per process. On AWS Powertools writes structured JSON with the Lambda context; the
 * local runtime sets `SWITCHBOARD_LOG_FORMAT=line` for one readable line per event. Handlers append
 * `requestId`, `messageId` and the vendor's id as keys so a result can be followed from the webhook
 * to the stored item, in either format.
 */
export const logger = new HubLogger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'switchboard' }, process.env.SWITCHBOARD_LOG_FORMAT === 'line' ? 'line' : 'json');

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
