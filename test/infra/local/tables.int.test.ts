import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTables } from '#infra/local/emulators.ts';
import { tables } from '#infra/topology/index.ts';
import { startTestAws, type TestAws } from '#test/helpers/emulators.ts';

/**
 * A data folder kept from before an index was declared: `npm start` rebuilds that table with the
 * declared indexes (dynalite cannot add one) and keeps every item, so routes that query the new index
 * work on old data.
 */
let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
}, 60_000);
afterAll(async () => {
  await aws?.stop();
});

describe('local tables', () => {
  it('rebuilds a table that lacks a declared index, keeping its items', async () => {
    const name = 'old-goodays-actions';
    const decl = tables['goodays-actions'];
    // As an older version made it: only the byResponse index.
    await aws.dynamo.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['actionId', 'responseId', 'createdAt'].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
        KeySchema: [{ AttributeName: 'actionId', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [{ IndexName: 'byResponse', KeySchema: [{ AttributeName: 'responseId', KeyType: 'HASH' }, { AttributeName: 'createdAt', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
      }),
    );
    for (let i = 0; i < 30; i++) await aws.doc.send(new PutCommand({ TableName: name, Item: { actionId: `a${i}`, responseId: 'r1', createdAt: `2026-11-01T00:00:${String(i).padStart(2, '0')}Z`, state: i === 7 ? 'unknown' : 'succeeded', ...(i === 7 ? { attention: 'outcome-unknown', attentionSince: '2026-11-01T01:00:00Z' } : {}) } }));

    await createTables(aws.dynamo, { only: ['goodays-actions'], name: () => name });
    const { Table } = await aws.dynamo.send(new DescribeTableCommand({ TableName: name }));
    expect((Table?.GlobalSecondaryIndexes ?? []).map((ix) => ix.IndexName).sort()).toEqual(decl.indexes.map((ix) => ix.name).sort());
    expect((await aws.doc.send(new GetCommand({ TableName: name, Key: { actionId: 'a29' } }))).Item).toMatchObject({ responseId: 'r1', state: 'succeeded' });
    const waiting = await aws.doc.send(new QueryCommand({ TableName: name, IndexName: 'byAttention', KeyConditionExpression: 'attention = :r', ExpressionAttributeValues: { ':r': 'outcome-unknown' } }));
    expect(waiting.Items?.map((i) => i.actionId)).toEqual(['a7']);
    const byResponse = await aws.doc.send(new QueryCommand({ TableName: name, IndexName: 'byResponse', KeyConditionExpression: 'responseId = :r', ExpressionAttributeValues: { ':r': 'r1' } }));
    expect(byResponse.Count).toBe(30);

    // A table that has every index stays as it is.
    await createTables(aws.dynamo, { only: ['goodays-actions'], name: () => name });
    expect((await aws.dynamo.send(new DescribeTableCommand({ TableName: name }))).Table?.CreationDateTime).toEqual(Table?.CreationDateTime);
  });
});
