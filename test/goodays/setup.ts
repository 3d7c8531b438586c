import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { GoodaysSandbox } from '#infra/local/sandboxes/goodays.ts';
import { startGoodaysSandbox } from '#infra/local/sandboxes/goodays.ts';
import { expectDocumented } from '#test/helpers/openapi.ts';
import type { Harness } from './harness.ts';
import { httpEvent, lambdaContext, startHarness, startMiniGateway } from './harness.ts';

type Http = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
type Sqs = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export const HMAC_SECRETS = 'new-secret,old-secret';
export const API_TOKEN = 'sandbox-api-token';
export const OPERATOR_TOKEN = 'operator-token';

/** Everything the Goodays integration tests drive: emulators, sandbox, handlers. */
export interface GoodaysWorld {
  readonly harness: Harness;
  readonly sandbox: GoodaysSandbox;
  readonly hubUrl: string;
  readonly webhook: Http;
  readonly operatorApi: Http;
  readonly eventProcessor: Sqs;
  readonly actionProcessor: Sqs;
  /** Calls the operator API with the operator token. */
  api(method: 'GET' | 'POST', route: string, params?: Record<string, string>, o?: { body?: string; headers?: Record<string, string>; query?: Record<string, string> }): Promise<{ status: number; json: unknown }>;
  /** Runs the event processor until the events queue is empty. */
  deliverEvents(): Promise<void>;
  /** Runs the action processor until the actions queue is empty (or `rounds` deliveries); rejects when an invocation throws. */
  runActions(rounds?: number): Promise<SQSBatchResponse[]>;
  stop(): Promise<void>;
}

/** Starts dynalite, fauxqs, the Goodays sandbox and a loopback gateway to the webhook handler. */
export async function startGoodaysWorld(): Promise<GoodaysWorld> {
  const harness = await startHarness(['goodays-events', 'goodays-threads', 'goodays-actions', 'goodays-users', 'quarantine', 'customer-index'], ['goodays-events', 'goodays-actions']);
  Object.assign(process.env, {
    GOODAYS_HMAC_SECRETS: HMAC_SECRETS,
    GOODAYS_API_TOKEN: API_TOKEN,
    HUB_OPERATOR_TOKEN: OPERATOR_TOKEN,
    GOODAYS_TIMEOUT_MS: '1500',
    GOODAYS_ACTION_MAX_RECEIVES: '5',
  });
  let hubUrl = '';
  const sandbox = await startGoodaysSandbox({ port: 0, hubUrl: () => hubUrl, env: { GOODAYS_HMAC_SECRETS: HMAC_SECRETS, GOODAYS_API_TOKEN: API_TOKEN } });
  process.env.GOODAYS_BASE_URL = sandbox.url;
  const webhook = (await import('#goodays/handlers/webhook.ts')).handler as unknown as Http;
  const operatorApi = (await import('#goodays/handlers/api.ts')).handler as unknown as Http;
  const eventProcessor = (await import('#goodays/handlers/event-processor.ts')).handler as unknown as Sqs;
  const actionProcessor = (await import('#goodays/handlers/action-processor.ts')).handler as unknown as Sqs;
  const gateway = await startMiniGateway({ 'POST /webhooks/goodays': webhook });
  hubUrl = gateway.url;

  const drain = async (queue: 'goodays-events' | 'goodays-actions', fn: Sqs, rounds: number) => {
    const results: SQSBatchResponse[] = [];
    for (let i = 0; i < rounds; i++) {
      const event = await harness.receive(queue, queue === 'goodays-actions' ? 1 : 10);
      if (event.Records.length === 0) break;
      // Hand-backs come back as batchItemFailures. A throw is a crash or a batch that failed entirely
      // for a real reason (a Lambda error): it reaches the test, which must expect it; the records,
      // left undeleted, return to the queue as they would on Lambda.
      const out = await fn(event, lambdaContext(60_000));
      results.push(out);
      await harness.settle(queue, event, out.batchItemFailures);
    }
    return results;
  };

  return {
    harness,
    sandbox,
    hubUrl,
    webhook,
    operatorApi,
    eventProcessor,
    actionProcessor,
    async api(method, route, params = {}, o = {}) {
      const res = await operatorApi(
        httpEvent({ method, route, pathParameters: params, query: o.query, body: o.body, headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...o.headers } }),
        lambdaContext(10_000),
      );
      const headers = (res.headers ?? {}) as Record<string, string>;
      await expectDocumented({ method, path: route, routeKey: `${method} ${route}`, status: res.statusCode ?? 0, contentType: headers['content-type'] ?? null, body: res.body });
      return { status: res.statusCode ?? 0, json: res.body ? (JSON.parse(res.body) as unknown) : undefined };
    },
    async deliverEvents() {
      await drain('goodays-events', eventProcessor, 20);
    },
    runActions(rounds = 10) {
      return drain('goodays-actions', actionProcessor, rounds);
    },
    async stop() {
      await gateway.stop();
      await sandbox.stop();
      await harness.stop();
    },
  };
}
