import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Hub } from '#infra/local/hub.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Clients on a test hub's emulators, for looking behind the API. */
export function hubClients(hub: Hub) {
  const raw = new DynamoDBClient({ endpoint: `http://127.0.0.1:${hub.dynamoPort}`, region: 'us-east-1', credentials });
  const dynamo = DynamoDBDocumentClient.from(raw);
  const sqs = new SQSClient({ endpoint: `http://127.0.0.1:${hub.sqsPort}`, region: 'us-east-1', credentials, useQueueUrlAsEndpoint: false });
  return {
    raw,
    dynamo,
    sqs,
    /** Every item of a declared table. */
    async scan(table: string): Promise<Record<string, unknown>[]> {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await dynamo.send(new ScanCommand({ TableName: `switchboard-${table}`, ExclusiveStartKey: start }));
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start);
      return items;
    },
  };
}
