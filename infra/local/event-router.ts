import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { EVENTBRIDGE_ENTRY_MAX_BYTES, entryBytes } from '#platform/outbound/event.ts';

/**
 * The hub's event bus on one machine: a small in-process router that answers EventBridge's PutEvents
 * (the functions publish with the same SDK call as on AWS, `AWS_ENDPOINT_URL_EVENTBRIDGE` pointing
 * here) and, for each subscription whose events match (the same list the stack makes rules from),
 * sends the event, shaped as EventBridge delivers it to an SQS target, to that subscription's queue
 * in fauxqs (durable: SQLite). An entry is answered as accepted only once every queue it goes to has
 * it; otherwise it is a failed entry and the publisher retries. Delivery, back-off and DLQ are the
 * queues' and the delivery function's, as on AWS: nothing here schedules or retries.
 */

/** One subscription as the router sees it. */
export interface RouterTarget {
  readonly id: string;
  readonly queueUrl: string;
  readonly matches: (type: string) => boolean;
}

const PutEventsRequest = z.object({
  Entries: z
    .array(
      z.object({
        EventBusName: z.string().optional(),
        Source: z.string().min(1),
        DetailType: z.string().min(1),
        Detail: z.string().min(1),
        Time: z.union([z.number(), z.string()]).optional(),
        Resources: z.array(z.string()).optional(),
      }),
    )
    .min(1)
    .max(10),
});

/**
 * JSON with non-ASCII escaped, as the hub's queue adapter writes it (fauxqs refuses characters above
 * U+FFFF). Not imported from `functions/`: that module creates the SQS client when loaded, before the
 * hub has pointed the SDK at fauxqs.
 */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface EventRouter {
  readonly url: string;
  /** Entries accepted since start, per subscription id (tests, the banner). */
  readonly routed: Readonly<Record<string, number>>;
  /**
   * What the bus was given since start (the cost bench): PutEvents requests, entries accepted, their
   * 64 KB chunks (what EventBridge bills as events), their bytes (what an archive takes in), and the
   * messages sent to subscription queues (SQS requests a rule's target makes).
   */
  readonly counts: { readonly requests: number; readonly entries: number; readonly chunks: number; readonly bytes: number; readonly routed: number };
  stop(): Promise<void>;
}

export async function startEventRouter(opts: { readonly busName: string; readonly targets: readonly RouterTarget[]; readonly sqs: SQSClient; readonly port?: number }): Promise<EventRouter> {
  const routed: Record<string, number> = Object.fromEntries(opts.targets.map((t) => [t.id, 0]));
  const counts = { requests: 0, entries: 0, chunks: 0, bytes: 0, routed: 0 };
  const fail = (res: ServerResponse, status: number, type: string, message: string) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: type, message }));
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (req.headers['x-amz-target'] !== 'AWSEvents.PutEvents') return fail(res, 400, 'UnknownOperationException', 'only PutEvents is served here');
        let parsed;
        try {
          parsed = PutEventsRequest.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          return fail(res, 400, 'SerializationException', 'body is not JSON');
        }
        if (!parsed.success) return fail(res, 400, 'ValidationException', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        const entries = parsed.data.Entries;
        counts.requests++;
        counts.entries += entries.length;
        const total = entries.reduce((n, e) => n + entryBytes(e.Source, e.DetailType, e.Detail, e.Resources), 0);
        if (total > EVENTBRIDGE_ENTRY_MAX_BYTES) return fail(res, 413, 'ValidationException', `request is ${total} bytes, over ${EVENTBRIDGE_ENTRY_MAX_BYTES}`);
        const results = await Promise.all(
          entries.map(async (e) => {
            if (e.EventBusName && e.EventBusName !== opts.busName) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `no bus ${e.EventBusName}` };
            let detail: unknown;
            try {
              detail = JSON.parse(e.Detail);
            } catch {
              return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not JSON' };
            }
            const id = randomUUID();
            const time = e.Time === undefined ? new Date() : new Date(typeof e.Time === 'number' ? e.Time * 1000 : e.Time);
            const event = { version: '0', id, 'detail-type': e.DetailType, source: e.Source, account: '000000000000', time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'), region: 'us-east-1', resources: e.Resources ?? [], detail };
            try {
              for (const t of opts.targets) {
                if (!t.matches(e.DetailType)) continue;
                await opts.sqs.send(new SendMessageCommand({ QueueUrl: t.queueUrl, MessageBody: asciiJson(event) }));
                routed[t.id] = (routed[t.id] ?? 0) + 1;
                counts.routed++;
              }
            } catch (err) {
              return { ErrorCode: 'InternalFailure', ErrorMessage: (err as Error).message };
            }
            const bytes = entryBytes(e.Source, e.DetailType, e.Detail, e.Resources);
            counts.bytes += bytes;
            counts.chunks += Math.max(1, Math.ceil(bytes / 65_536));
            return { EventId: id };
          }),
        );
        res
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results }));
      })().catch((err: unknown) => {
        if (!res.headersSent) fail(res, 500, 'InternalFailure', (err as Error).message);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routed,
    counts,
    async stop() {
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}
