import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { HUB_CLIENT_CONFIG, hubClient } from './aws-client.ts';

/**
 * AWS clients, created once per process and reused across invocations. Endpoints come from the
 * SDK's own `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_SQS` variables, which the local runtime
 * sets to dynalite and fauxqs; on Lambda they are unset and the regional endpoints are used.
 */
export const dynamo = DynamoDBDocumentClient.from(hubClient(new DynamoDBClient({ ...HUB_CLIENT_CONFIG })), {
  marshallOptions: { removeUndefinedValues: true },
});
// Before the document client marshalls (its own step is in `serialize`), so every write is covered.
dynamo.middlewareStack.add((next) => async (args) => next({ ...args, input: marshallable(args.input) as typeof args.input }), { step: 'initialize', name: 'marshallableJson' });

const isPlainObject = (v: object): v is Record<string, unknown> => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * A value the document client marshalls as it reads: a JSON object with a key named `constructor`
 * becomes a `Map` of the same entries. The marshaller chooses a value's kind by `value.constructor.name`,
 * so such an object (free-form vendor data may hold one) failed the write ("Unsupported type passed")
 * or, with `constructor: {"name": "String"}`, was written as the string "[object Object]". A `Map` is
 * marshalled entry by entry, into the same DynamoDB map a plain object gives, and reads back as a plain
 * object. Other values are returned as they are (copied only where something inside changed).
 */
export function marshallable(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v: unknown) => {
      const m = marshallable(v);
      if (m !== v) changed = true;
      return m;
    });
    return changed ? out : value;
  }
  if (!isPlainObject(value)) return value;
  const entries = Object.entries(value);
  let changed = false;
  const next = entries.map(([k, v]): [string, unknown] => {
    const m = marshallable(v);
    if (m !== v) changed = true;
    return [k, m];
  });
  if (Object.hasOwn(value, 'constructor')) return new Map(next);
  return changed ? Object.fromEntries(next) : value;
}

// The SQS client lives in its own module, so a function that only sends (a webhook) loads no DynamoDB.
export { sqs } from './aws-sqs.ts';

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

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET']);
const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'InternalServerError', 'InternalFailure', 'ServiceUnavailable', 'ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'KMSThrottlingException']);

/**
 * True for an AWS call that failed for a reason a later try can cure (the SDK's own retries spent): the
 * endpoint unreachable, a reset connection or timeout, a 5xx, throttling. A condition failure, a
 * validation error or a missing table is not.
 */
export function isTransientAwsError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.$retryable) return true;
  if (e.code && TRANSIENT_CODES.has(e.code)) return true;
  if (TRANSIENT_NAMES.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  return e.cause !== undefined && e.cause !== err && isTransientAwsError(e.cause);
}
