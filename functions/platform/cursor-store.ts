import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, dynamo } from './aws.ts';

/** A poller's position: an opaque value plus a version used for optimistic concurrency. */
export interface Cursor {
  readonly name: string;
  readonly value: string;
  readonly version: number;
  readonly updatedAt: string;
}

/** Port for poller cursors: read, and move forward only if nobody else moved it first. */
export interface CursorStore {
  get(name: string): Promise<Cursor | undefined>;
  /**
   * Moves the cursor from `expected` (undefined: not created yet) to `value`. Returns false, and
   * changes nothing, when another run moved it in between; the caller then stops.
   */
  move(name: string, expected: Cursor | undefined, value: string): Promise<boolean>;
}

/** DynamoDB cursor store: one item per cursor, each move a conditional write on `version`. */
export function dynamoCursorStore(table: string): CursorStore {
  return {
    async get(name) {
      const out = await dynamo.send(new GetCommand({ TableName: table, Key: { name }, ConsistentRead: true }));
      const item = out.Item;
      if (!item) return undefined;
      return { name, value: String(item.value), version: Number(item.version), updatedAt: String(item.updatedAt) };
    },
    async move(name, expected, value) {
      return conditionalWrite(() =>
        dynamo.send(
          new PutCommand({
            TableName: table,
            Item: { name, value, version: (expected?.version ?? 0) + 1, updatedAt: new Date().toISOString() },
            ConditionExpression: expected ? '#v = :v' : 'attribute_not_exists(#n)',
            ExpressionAttributeNames: expected ? { '#v': 'version' } : { '#n': 'name' },
            ExpressionAttributeValues: expected ? { ':v': expected.version } : undefined,
          }),
        ),
      );
    },
  };
}
