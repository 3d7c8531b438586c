import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dynamo } from '#platform/aws.ts';
import { startTestAws, type TestAws } from '#test/helpers/emulators.ts';

/**
 * The quarantine on DynamoDB (dynalite): one item per distinct body, news (counted, so alarmed on)
 * once. A resend of the body by the vendor, a poller re-reading it or a queue redelivering its record
 * is not news; the SDK's retry of the first put, whose first attempt had landed, still is.
 */
let aws: TestAws<'quarantine'>;
beforeAll(async () => {
  aws = await startTestAws({ tables: ['quarantine'] });
});
afterAll(async () => {
  await aws?.stop();
});

const entry = (body: string, requestId: string | undefined, receivedAt: string) => ({ vendor: 'acme', reason: 'not a result', body, requestId, receivedAt, stage: 'webhook' as const });

describe('dynamoQuarantine', () => {
  it('is news once per body: not for a resend, a re-read or a redelivery of the same record', async () => {
    const { dynamoQuarantine } = await import('#platform/quarantine.ts');
    const q = dynamoQuarantine(aws.tableName('quarantine'));
    const first = await q.put(entry('{"odd":1}', 'req-1', '2026-12-02T03:00:00.000Z'));
    expect(first.created).toBe(true);
    expect(await q.put(entry('{"odd":1}', 'req-1', '2026-12-02T03:00:00.000Z'))).toEqual({ id: first.id, created: false });
    expect(await q.put(entry('{"odd":1}', 'req-2', '2026-12-02T03:05:00.000Z'))).toEqual({ id: first.id, created: false });
    expect(await q.put(entry('{"odd":1}', undefined, '2026-12-02T03:10:00.000Z'))).toEqual({ id: first.id, created: false });
    expect((await aws.scan('quarantine')).filter((i) => i.id === first.id)).toHaveLength(1);
  });

  it("is news when the SDK's retry of the first put finds the item its first attempt wrote", async () => {
    const { dynamoQuarantine } = await import('#platform/quarantine.ts');
    const q = dynamoQuarantine(aws.tableName('quarantine'));
    const real = dynamo.send.bind(dynamo);
    // What the SDK does on a timeout after the put landed: the same request again, inside one send.
    const send = vi.spyOn(dynamo, 'send').mockImplementationOnce((async (command: unknown) => {
      if (!(command instanceof PutCommand)) throw new Error('expected the quarantine put first');
      await real(command);
      return real(command);
    }) as never);
    try {
      const kept = await q.put(entry('{"odd":2}', 'req-3', '2026-12-02T03:20:00.000Z'));
      expect(kept.created).toBe(true);
      expect(send).toHaveBeenCalledTimes(2);
    } finally {
      send.mockRestore();
    }
    const items = (await aws.scan('quarantine')).filter((i) => String(i.body) === '{"odd":2}');
    expect(items).toEqual([expect.objectContaining({ requestId: 'req-3', receivedAt: '2026-12-02T03:20:00.000Z' })]);
  });

  it('is news, and announced, on the put after one whose announcement failed; then no more', async () => {
    const { announcingQuarantine, dynamoQuarantine } = await import('#platform/quarantine.ts');
    const announced: string[] = [];
    let sqsDown = true;
    const q = announcingQuarantine(dynamoQuarantine(aws.tableName('quarantine')), async (n) => {
      if (sqsDown) throw new Error('SQS unavailable');
      announced.push(n.quarantineId);
    });
    // The item is written, its announcement fails, so the put fails (the webhook answers 5xx) and
    // nothing was counted.
    await expect(q.put(entry('{"odd":3}', 'req-4', '2026-12-02T03:30:00.000Z'))).rejects.toThrow('SQS unavailable');
    sqsDown = false;
    // The vendor's resend finds the item: still news (counted, alarmed on) and announced now.
    const resent = await q.put(entry('{"odd":3}', 'req-5', '2026-12-02T03:35:00.000Z'));
    expect(resent.created).toBe(true);
    expect(announced).toEqual([resent.id]);
    // Announced: the next resend is not news, though it announces again (the same event id).
    expect((await q.put(entry('{"odd":3}', 'req-6', '2026-12-02T03:40:00.000Z'))).created).toBe(false);
    expect(announced).toEqual([resent.id, resent.id]);
    const items = (await aws.scan('quarantine')).filter((i) => String(i.body) === '{"odd":3}');
    expect(items).toEqual([expect.objectContaining({ requestId: 'req-4' })]);
    expect(items[0]).not.toHaveProperty('announced');
  });

  it('writes no announcement mark when nothing announces (a plain put), so a resend is never news', async () => {
    const { dynamoQuarantine } = await import('#platform/quarantine.ts');
    const q = dynamoQuarantine(aws.tableName('quarantine'));
    const first = await q.put(entry('{"odd":4}', 'req-7', '2026-12-02T03:50:00.000Z'));
    expect(await q.put(entry('{"odd":4}', 'req-8', '2026-12-02T03:55:00.000Z'))).toEqual({ id: first.id, created: false });
    expect((await aws.scan('quarantine')).find((i) => i.id === first.id)).not.toHaveProperty('announced');
  });
});
