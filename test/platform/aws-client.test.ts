import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createServer } from 'node:http';
import type { Socket, AddressInfo } from 'node:net';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { dynamo } from '#platform/aws.ts';
import { sqs } from '#platform/aws-sqs.ts';
import { AWS_CONNECT_TIMEOUT_MS, AWS_REQUEST_TIMEOUT_MS, HUB_CLIENT_CONFIG, hubClient, SDK_LOGGER_MIDDLEWARE } from '#platform/aws-client.ts';

const names = (c: { middlewareStack: { identify(): string[] } }) => c.middlewareStack.identify().map((m) => m.split(' - ')[0]);

describe('hubClient', () => {
  it('finds the SDK logger middleware where the SDK puts it (a rename in an SDK upgrade fails here)', () => {
    for (const c of [new DynamoDBClient({}), new SQSClient({}), new EventBridgeClient({})]) expect(names(c)).toContain(SDK_LOGGER_MIDDLEWARE);
  });

  it("takes it out of the hub's clients and leaves the rest of their stacks", () => {
    const plain = names(new SQSClient({}));
    expect(names(sqs)).not.toContain(SDK_LOGGER_MIDDLEWARE);
    expect(names(sqs)).toEqual(plain.filter((n) => n !== SDK_LOGGER_MIDDLEWARE));
    // The document client shares its DynamoDB client's stack, with its own marshalling step added.
    expect(names(dynamo)).not.toContain(SDK_LOGGER_MIDDLEWARE);
    expect(names(dynamo)).toContain('marshallableJson');
    expect(names(hubClient(new EventBridgeClient({})))).not.toContain(SDK_LOGGER_MIDDLEWARE);
  });
});

describe('HUB_CLIENT_CONFIG', () => {
  it('makes a request to a server that never answers fail with a TimeoutError instead of waiting forever', async () => {
    const sockets = new Set<Socket>();
    // Accepts the connection and reads the request, never answers.
    const server = createServer(() => undefined);
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const timeoutMs = 300;
    const client = hubClient(
      new SQSClient({
        ...HUB_CLIENT_CONFIG,
        requestHandler: { ...HUB_CLIENT_CONFIG.requestHandler, requestTimeout: timeoutMs },
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      }),
    );
    const started = performance.now();
    try {
      await expect(client.send(new GetQueueUrlCommand({ QueueName: 'stalled' }))).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(performance.now() - started).toBeLessThan(timeoutMs + 2_000);
    } finally {
      client.destroy();
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it("gives up on one attempt within a webhook function's 10 s (the SDK makes up to three)", () => {
    expect(AWS_CONNECT_TIMEOUT_MS + AWS_REQUEST_TIMEOUT_MS).toBeLessThanOrEqual(10_000);
    expect(HUB_CLIENT_CONFIG.requestHandler.throwOnRequestTimeout).toBe(true);
  });
});
