import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeMessageVisibilityCommand, CreateQueueCommand, ReceiveMessageCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import { FAUXQS_VERSION, durableFauxqs } from '#infra/local/fauxqs-durable.ts';
import { PersistenceManager } from '../../../node_modules/fauxqs/dist/persistence.js';
import { SqsQueue, SqsStore } from '../../../node_modules/fauxqs/dist/sqs/sqsStore.js';

/**
 * The local queues' durability rests on fauxqs internals (its stores and SQLite persistence, imported
 * by file path because 2.4.1 exports neither). If an upgrade moves or reshapes them, this fails first,
 * and says which.
 */
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const client = (endpoint: string) =>
  new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, useQueueUrlAsEndpoint: false });

describe('fauxqs internals the durable queues wire', () => {
  it('is the exact version pinned in package.json', () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const installed = JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules/fauxqs/package.json'), 'utf8')) as { version: string };
    expect(pkg.dependencies.fauxqs, 'fauxqs must stay pinned exactly: infra/local/fauxqs-durable.ts imports its internals').toBe(FAUXQS_VERSION);
    expect(installed.version).toBe(FAUXQS_VERSION);
  });

  it('still has the classes and methods that are wired', () => {
    for (const m of ['load', 'close', 'insertMessage', 'deleteMessage', 'updateMessageInflight', 'updateMessageReady']) {
      expect(typeof (PersistenceManager.prototype as unknown as Record<string, unknown>)[m], `PersistenceManager.${m}`).toBe('function');
    }
    expect(typeof SqsStore.prototype.allQueues).toBe('function');
    expect(typeof SqsQueue.prototype.changeVisibility).toBe('function');
    expect(new SqsQueue('q', 'http://x/000000000000/q', 'arn:aws:sqs:us-east-1:000000000000:q').inflightMessages).toBeInstanceOf(Map);
  });

  it('keeps messages in SQLite, makes those in flight visible at the next start, and makes ChangeMessageVisibility 0 work', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-fauxqs-'));
    dirs.push(dir);
    const first = durableFauxqs(dir);
    const sqs = client(await first.app.listen({ port: 0, host: '127.0.0.1' }));
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'q', Attributes: { VisibilityTimeout: '600' } }))).QueueUrl ?? '';
    for (const b of ['a', 'b', 'c']) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: b }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 2 }));
    expect(got.Messages).toHaveLength(2);
    // 2.4.1 fails this (NULL into a NOT NULL column); the wired persistence fixes it.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: got.Messages?.[0]?.ReceiptHandle, VisibilityTimeout: 0 }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    sqs.destroy();
    await first.app.close();

    // Everything in flight (visibility 600 s) is back at once: the process that held it is gone.
    const second = durableFauxqs(dir);
    expect(second.released).toBe(3);
    const sqs2 = client(await second.app.listen({ port: 0, host: '127.0.0.1' }));
    const again = await sqs2.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect((again.Messages ?? []).map((m) => m.Body).sort()).toEqual(['a', 'b', 'c']);
    sqs2.destroy();
    await second.app.close();
  });
});
