import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { dynamo } from '#platform/aws.ts';
import { sqs } from '#platform/aws-sqs.ts';
import { hubClient, SDK_LOGGER_MIDDLEWARE } from '#platform/aws-client.ts';

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
