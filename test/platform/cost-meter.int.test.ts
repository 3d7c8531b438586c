import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startTestAws, type TestAws } from '#test/helpers/emulators.ts';
import type { CostMeter } from '#test/helpers/cost-meter.ts';

/**
 * The cost bench's meter (`test/helpers/cost-meter.ts`) on dynalite: a table's write units are the
 * units of the writes as they happened, also when many writes to one item race, and the hub's own
 * requests get the answers they would have had without the meter.
 */
let aws: TestAws<'rungopher-contacts' | 'rungopher-results'>;
let meter: CostMeter;

beforeAll(async () => {
  aws = await startTestAws({ tables: ['rungopher-contacts', 'rungopher-results'] });
  const { startCostMeter } = await import('#test/helpers/cost-meter.ts');
  meter = await startCostMeter(aws.dynamoEndpoint);
});
afterAll(async () => {
  meter?.stop();
  await aws?.stop();
});

describe('the cost meter', () => {
  it('charges concurrent updates of one item what each update cost, not what the item became meanwhile', async () => {
    const { dynamo } = await import('#platform/aws.ts');
    const table = aws.tableName('rungopher-contacts');
    const N = 24;
    const slot = 'x'.repeat(300);
    meter.reset();
    // Each update adds one slot of the same size, so the k-th update (in whatever order they land)
    // grows the item from k-1 slots to k: its units are those of k slots, whichever update it is.
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        dynamo.send(new UpdateCommand({ TableName: table, Key: { campaignContact: 'c' }, UpdateExpression: 'SET #s = :v', ExpressionAttributeNames: { '#s': `s${String(i).padStart(2, '0')}` }, ExpressionAttributeValues: { ':v': slot } })),
      ),
    );
    // DynamoDB's size rule: names and values in bytes (the key `campaignContact` = `c`, slots `s00` = 300 x).
    const key = 'campaignContact'.length + 'c'.length;
    const expected = Array.from({ length: N }, (_, k) => Math.max(1, Math.ceil((key + (k + 1) * (3 + 300)) / 1024))).reduce((a, b) => a + b, 0);
    expect(meter.snapshot().units[table]?.wru).toBe(expected);
    expect(meter.snapshot().requests['dynamodb:UpdateItem']).toBe(N);
  });

  it('answers the hub as DynamoDB would without the meter, and charges a refused write', async () => {
    const { dynamo } = await import('#platform/aws.ts');
    const table = aws.tableName('rungopher-results');
    meter.reset();
    const put = await dynamo.send(new PutCommand({ TableName: table, Item: { id: 'r1', raw: 'y'.repeat(1500) }, ConditionExpression: 'attribute_not_exists(id)' }));
    expect(put.ConsumedCapacity).toBeUndefined();
    await expect(dynamo.send(new PutCommand({ TableName: table, Item: { id: 'r1', raw: 'z' }, ConditionExpression: 'attribute_not_exists(id)' }))).rejects.toThrow(/conditional/i);
    // Asked for by the hub itself: kept.
    const asked = await dynamo.send(new PutCommand({ TableName: table, Item: { id: 'r2', raw: 'w' }, ReturnConsumedCapacity: 'TOTAL' }));
    expect(asked.ConsumedCapacity?.CapacityUnits).toBe(1);
    expect((await dynamo.send(new GetCommand({ TableName: table, Key: { id: 'r1' } }))).Item?.raw).toHaveLength(1500);
    // 2 for the first put (1.5 KB), 2 for the refused one (the item it met), 1 for the third.
    expect(meter.snapshot().units[table]?.wru).toBe(5);
  });

  it('counts text that is not ASCII in UTF-8 bytes, as DynamoDB does (dynalite counts UTF-16 units)', async () => {
    const { dynamo } = await import('#platform/aws.ts');
    const table = aws.tableName('rungopher-results');
    meter.reset();
    // 600 characters, 1,200 bytes: 2 WRU on DynamoDB, 1 by dynalite's measure.
    await dynamo.send(new PutCommand({ TableName: table, Item: { id: 'r3', raw: 'é'.repeat(600) } }));
    await dynamo.send(new PutCommand({ TableName: table, Item: { id: 'r4', [`n:${'ü'.repeat(300)}`]: 'x'.repeat(500) } }));
    expect(meter.snapshot().units[table]?.wru).toBe(4);
  });
});
