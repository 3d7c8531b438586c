import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoEventStore, dynamoThreadStore } from '#goodays/adapters/store.ts';
import { startTestAws, type TestAws } from '#test/helpers/emulators.ts';

/**
 * A stored item that no longer fits the store's schema fails its read as it did with classic zod: an
 * Error named `ZodError` (not zod/mini's `$ZodError`) whose message is the issues, so the line the
 * queue kit or the API logs for it reads the same.
 */
let aws: TestAws<'goodays-threads' | 'goodays-events'>;

beforeAll(async () => {
  aws = await startTestAws({ tables: ['goodays-threads', 'goodays-events'] });
}, 60_000);
afterAll(async () => {
  await aws?.stop();
});

async function failure(read: () => Promise<unknown>): Promise<Error & { issues: unknown }> {
  try {
    await read();
  } catch (err) {
    return err as Error & { issues: unknown };
  }
  throw new Error('expected the read to fail');
}

describe('a stored Goodays item that does not fit its schema', () => {
  it('fails a thread read with a ZodError naming the field', async () => {
    const table = aws.tableName('goodays-threads');
    await aws.doc.send(new PutCommand({ TableName: table, Item: { responseId: 'bad', version: 'two', thread: {}, updatedAt: '2026-12-01T00:00:00.000Z' } }));
    const issues = [{ expected: 'number', code: 'invalid_type', path: ['version'], message: 'Invalid input: expected number, received string' }];
    for (const read of [() => dynamoThreadStore(table).get('bad'), () => dynamoThreadStore(table).list({ limit: 10 })]) {
      const err = await failure(read);
      expect(err).toBeInstanceOf(Error);
      expect([err.name, err.stack?.split('\n')[0]]).toEqual(['ZodError', `ZodError: ${JSON.stringify(issues, null, 2).split('\n')[0]}`]);
      expect(err.issues).toEqual(issues);
      // With its frames, as classic zod's parse gives them: the log line keeps its location.
      expect(err.stack).toMatch(/\n\s+at /);
      expect(err.message).toBe(JSON.stringify(issues, null, 2));
    }
  });

  it('fails an event list with a ZodError naming the field', async () => {
    const table = aws.tableName('goodays-events');
    await aws.doc.send(new PutCommand({ TableName: table, Item: { responseId: 'bad', eventKey: 'k', eventType: 'response', order: '1', body: '{}', receivedAt: '2026-12-01T00:00:00.000Z' } }));
    const err = await failure(() => dynamoEventStore(table).list('bad'));
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ZodError');
    expect(err.issues).toEqual([{ expected: 'string', code: 'invalid_type', path: ['requestId'], message: 'Invalid input: expected string, received undefined' }]);
  });
});
