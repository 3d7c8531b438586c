/**
 * The foundation bench's load generator, in a worker thread of its own: the clients a real caller would
 * be (a vendor's webhook sender, an SDK SendMessage), kept off the thread that runs the local gateway and
 * the handler, so the figures are the path's and not the load generator's. Each message is one closed
 * loop of `count` requests at `concurrency`; the reply is its latency percentiles and throughput.
 */
import { parentPort } from 'node:worker_threads';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

export interface LoadRequest {
  readonly kind: 'webhook' | 'sendMessage';
  readonly count: number;
  readonly concurrency: number;
  /** Webhook: the URL to POST to. SendMessage: the queue's URL. */
  readonly url: string;
  readonly sqsEndpoint: string;
  /** The sample result each body is made from, with id `firstId + i`. */
  readonly sample: Record<string, unknown>;
  readonly firstId: number;
}

export interface LoadFigures {
  readonly p50: number;
  readonly p99: number;
  readonly perSecond: number;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

let sqs: SQSClient | undefined;

async function run(req: LoadRequest): Promise<LoadFigures> {
  const body = (i: number) => JSON.stringify({ ...req.sample, id: req.firstId + i });
  sqs ??= new SQSClient({ endpoint: req.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, useQueueUrlAsEndpoint: false });
  const client = sqs;
  const one =
    req.kind === 'webhook'
      ? async (i: number) => {
          const res = await fetch(req.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(i) });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
        }
      : async (i: number) => {
          // The envelope the webhook sends, so both carry the same bytes.
          await client.send(new SendMessageCommand({ QueueUrl: req.url, MessageBody: JSON.stringify({ vendor: 'rungopher', requestId: `b${req.firstId + i}`, receivedAt: new Date().toISOString(), body: body(i), source: 'webhook' }) }));
        };
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: req.concurrency }, async () => {
      while (next < req.count) {
        const i = next++;
        const t = performance.now();
        await one(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const total = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), perSecond: (req.count / total) * 1000 };
}

parentPort?.on('message', (req: LoadRequest) => {
  run(req).then(
    (figures) => parentPort?.postMessage({ ok: true, figures }),
    (err: unknown) => parentPort?.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
