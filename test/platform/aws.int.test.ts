import fc from 'fast-check';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '#test/helpers/emulators.ts';
import type * as Aws from '#platform/aws.ts';

/**
 * The hub's document client stores free-form JSON as it reads, whatever its keys: the marshaller picks a
 * value's kind by `value.constructor.name`, so a JSON object with a `constructor` key used to fail the
 * write or be stored as "[object Object]" (found by the Goodays storability property).
 */
let aws: TestAws<'quarantine'>;
let dynamo: typeof Aws.dynamo;
let table: string;

beforeAll(async () => {
  aws = await startTestAws({ tables: ['quarantine'] });
  table = aws.tables.quarantine;
  ({ dynamo } = await import('#platform/aws.ts'));
});
afterAll(async () => {
  await aws?.stop();
});

const roundTrip = async (id: string, data: unknown) => {
  await dynamo.send(new PutCommand({ TableName: table, Item: { id, data } }));
  return (await dynamo.send(new GetCommand({ TableName: table, Key: { id }, ConsistentRead: true }))).Item?.data;
};

describe('document client and JSON keys the marshaller reads as types', () => {
  it('stores and reads back objects with a constructor key, nested in maps and lists', async () => {
    const cases = [
      { constructor: 1 },
      { constructor: { name: 'String' }, x: 1 },
      { constructor: { name: 'Set' } },
      { constructor: { name: 'Boolean' }, list: [{ constructor: { name: 'Number' } }] },
      [{ a: { constructor: 'Map', b: [1, { constructor: null }] } }],
    ];
    for (const [i, data] of cases.entries()) expect(await roundTrip(`case${i}`, data)).toEqual(data);
  });

  it('any JSON with keys drawn from the marshaller-sensitive names round-trips (property)', async () => {
    const key = fc.constantFrom('constructor', 'name', 'String', 'Set', 'Map', 'Boolean', 'Number', 'x');
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), tie('object'), tie('array')),
      object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      array: fc.array(tie('value'), { maxLength: 3 }),
    })).value;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(json, async (data) => {
        expect(await roundTrip(`prop${n++}`, data)).toEqual(data);
      }),
      { numRuns: 60 },
    );
  });
});
