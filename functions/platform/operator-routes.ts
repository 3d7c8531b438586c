import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, sqs } from './aws.ts';
import { queueUrl, requireEnv, tableName } from './config.ts';
import { dynamoCursorStore } from './cursor-store.ts';
import { copyRedriveDlq, sqsMoveTaskDlq } from './dlq.ts';
import { ValidationError } from './errors.ts';
import type { Route } from './http.ts';
import { bodyText, json, queryParams } from './http.ts';
import { parseJson } from './json.ts';
import { count } from './observability.ts';
import type { AttentionCounter, AuditStore, OperationsPorts, StoredCursor } from './operations.ts';
import { getQuarantined, getStream, listQuarantine, listQueues, listStreams, moveStream, Operations, operatorOf, redriveQueue, retryQuarantined, status } from './operations.ts';
import type { AuditRecordView } from './operator-views.ts';
import { dynamoQuarantineReader } from './quarantine.ts';
import { sqsJsonQueue } from './queue.ts';
import { readRuns } from './runs.ts';
import { requireWellFormed } from './validation.ts';

/** The operator function's routes (`GET /status`, quarantine, queues, streams) and their wiring. */

const envKey = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]/g, '_');

function dynamoAudit(table: string): AuditStore {
  return {
    async add(record) {
      // The sort key is the time with a random tail: two changes in the same millisecond both stay.
      await dynamo.send(new PutCommand({ TableName: table, Item: { ...record, at: `${record.at}#${Math.random().toString(36).slice(2, 10)}` } }));
    },
    async latest(stream, limit) {
      const out = await dynamo.send(new QueryCommand({ TableName: table, KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'stream' }, ExpressionAttributeValues: { ':s': stream }, ScanIndexForward: false, Limit: limit }));
      return (out.Items ?? []).map((i) => {
        const r = i as AuditRecordView;
        return { stream: r.stream, at: String(r.at).split('#')[0] ?? '', who: r.who, action: r.action, from: r.from ?? null, to: r.to };
      });
    },
  };
}

async function allCursors(table: string): Promise<StoredCursor[]> {
  const out: StoredCursor[] = [];
  let key: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: table, ExclusiveStartKey: key, ConsistentRead: true }));
    for (const i of page.Items ?? []) out.push({ name: String(i.name), value: String(i.value), version: Number(i.version), updatedAt: String(i.updatedAt) });
    key = page.LastEvaluatedKey;
  } while (key);
  return out;
}

/**
 * Counts an attention index: a paged Query with `Select: COUNT` on the sparse index (only the items
 * waiting are in it), and one item of its start for the oldest. No scan: the cost is the waiting items'.
 */
export function dynamoAttention(tableOf: (table: string) => string): AttentionCounter {
  return async (a) => {
    const base = { TableName: tableOf(a.table), IndexName: a.index, KeyConditionExpression: '#pk = :r', ExpressionAttributeNames: { '#pk': a.partitionKey }, ExpressionAttributeValues: { ':r': a.reason } };
    let count = 0;
    let key: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(new QueryCommand({ ...base, Select: 'COUNT', ExclusiveStartKey: key }));
      count += page.Count ?? 0;
      key = page.LastEvaluatedKey;
    } while (key);
    if (count === 0) return { count, oldestAt: null };
    const first = await dynamo.send(new QueryCommand({ ...base, ScanIndexForward: true, Limit: 1 }));
    const since = first.Items?.[0]?.[a.sortKey];
    return { count, oldestAt: typeof since === 'string' && !Number.isNaN(Date.parse(since)) ? new Date(since).toISOString() : null };
  };
}

let made: OperationsPorts | undefined;
function ports(): OperationsPorts {
  if (made) return made;
  const operations = Operations.parse(JSON.parse(requireEnv('HUB_OPERATIONS')));
  const cursorsTable = tableName('cursors');
  const queues = new Map<string, ReturnType<typeof sqsJsonQueue<unknown>>>();
  made = {
    operations,
    queues: (name) => ({
      name,
      url: queueUrl(name),
      dlqUrl: requireEnv(`QUEUE_${envKey(name)}_DLQ_URL`),
      ...(process.env[`QUEUE_${envKey(name)}_ARN`] ? { arn: process.env[`QUEUE_${envKey(name)}_ARN`], dlqArn: process.env[`QUEUE_${envKey(name)}_DLQ_ARN`] } : {}),
    }),
    // Locally the emulator has no move tasks (HUB_DLQ_REDRIVE=copy, set by the local runtime).
    dlq: process.env.HUB_DLQ_REDRIVE === 'copy' ? copyRedriveDlq(sqs) : sqsMoveTaskDlq(sqs),
    quarantine: dynamoQuarantineReader(tableName('quarantine')),
    async send(queue, message) {
      let q = queues.get(queue);
      if (!q) queues.set(queue, (q = sqsJsonQueue<unknown>(queueUrl(queue))));
      // A queue's own message goes as it came; an envelope as the webhooks send one.
      if (typeof message === 'string') {
        const out = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(queue), MessageBody: message }));
        return out.MessageId ?? '';
      }
      return q.send(message);
    },
    runs: () => readRuns(tableName('runs')),
    cursors: { ...dynamoCursorStore(cursorsTable), all: () => allCursors(cursorsTable) },
    audit: dynamoAudit(tableName('audit')),
    attention: dynamoAttention((t) => tableName(t)),
  };
  return made;
}

function jsonBodyOf(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') throw new ValidationError('A JSON body is required', [{ name: 'body', detail: 'required' }]);
  const parsed = parseJson(text);
  if (!parsed.ok) throw new ValidationError('The body is not JSON', [{ name: 'body', detail: parsed.reason }]);
  requireWellFormed(parsed.value);
  return parsed.value;
}

export const operatorRoutes: Readonly<Record<string, Route>> = {
  'GET /status': async () => json(200, await status(ports())),
  'GET /quarantine': async (event) => json(200, await listQuarantine(ports(), queryParams(event))),
  'GET /quarantine/{id}': async (event) => json(200, await getQuarantined(ports(), event.pathParameters?.id)),
  'POST /quarantine/{id}/retry': async (event) => {
    const who = operatorOf(event.headers);
    const out = await retryQuarantined(ports(), event.pathParameters?.id, who);
    count('QuarantineRetried');
    return json(202, out);
  },
  'GET /queues': async () => json(200, await listQueues(ports())),
  'POST /queues/{queue}/redrive': async (event) => {
    const who = operatorOf(event.headers);
    const out = await redriveQueue(ports(), event.pathParameters?.queue, who);
    count('DlqRedriven');
    return json(out.state === 'started' ? 202 : 200, out);
  },
  'GET /streams': async () => json(200, await listStreams(ports())),
  'GET /streams/{stream}': async (event) => json(200, await getStream(ports(), event.pathParameters?.stream)),
  'POST /streams/{stream}/reset': async (event) => {
    const out = await moveStream(ports(), event.pathParameters?.stream, jsonBodyOf(bodyText(event)), 'reset', operatorOf(event.headers));
    count('StreamMoved');
    return json(200, out);
  },
  'POST /streams/{stream}/backfill': async (event) => {
    const out = await moveStream(ports(), event.pathParameters?.stream, jsonBodyOf(bodyText(event)), 'backfill', operatorOf(event.headers));
    count('StreamMoved');
    return json(200, out);
  },
};
