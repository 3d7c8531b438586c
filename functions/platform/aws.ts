import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * AWS clients, created once per process and reused across invocations. Endpoints come from the
 * SDK's own `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_SQS` variables, which the local runtime
 * sets to dynalite and fauxqs; on Lambda they are unset and the regional endpoints are used.
 */
export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

// With a custom endpoint (fauxqs locally) the queue URL's host is not resolvable, so requests go to
// the endpoint; on AWS no endpoint is set and the queue URL host is the regional endpoint anyway.
export const sqs = new SQSClient({ useQueueUrlAsEndpoint: !process.env.AWS_ENDPOINT_URL_SQS });

/** Every item a query matches, all pages read (the SDK's paginator follows LastEvaluatedKey). */
export async function queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateQuery({ client: dynamo }, input)) items.push(...(page.Items ?? []));
  return items;
}

/** True for DynamoDB's ConditionalCheckFailedException, whichever client threw it. */
export function isConditionFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

/**
 * Runs one conditional write (`() => dynamo.send(new PutCommand(...))`): true when it was applied, false when its condition failed (another
 * writer was first, or the item is already there); any other error is thrown.
 */
export async function conditionalWrite(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}
