import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { hubClients } from '#test/helpers/aws.ts';
import { DOC_SAMPLES } from '#test/rungopher/samples.ts';
import { eventually, operatorGet, startTestHub } from '#test/helpers/hub.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-restart-'));
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

describe('local runtime restart', () => {
  it('keeps stored results, tokens and queued messages across a restart', async () => {
    const first = await startTestHub({ dataDir });
    const token = first.env.RUNGOPHER_WEBHOOK_TOKEN;
    const operator = first.env.HUB_OPERATOR_TOKEN;
    for (const s of DOC_SAMPLES.slice(0, 3)) {
      expect((await fetch(`${first.url}/webhooks/rungopher/${token}`, { method: 'POST', body: JSON.stringify(s) })).status).toBe(200);
    }
    // Stored and fully processed (view updated, message deleted) before the view table goes away.
    await eventually(async () =>
      ((await operatorGet(first, '/rungopher/results')).body as { items: unknown[] }).items.length === 3 && (await first.queueDepth('rungopher-results')) === 0 ? true : undefined,
    );
    // A result that cannot be stored yet (its view table is gone) is still queued when the hub stops.
    await hubClients(first).raw.send(new DeleteTableCommand({ TableName: 'switchboard-rungopher-contacts' }));
    expect((await fetch(`${first.url}/webhooks/rungopher/${token}`, { method: 'POST', body: JSON.stringify({ ...DOC_SAMPLES[4], contactId: 'queued' }) })).status).toBe(200);
    await eventually(async () => ((await first.queueDepth('rungopher-results')) === 1 ? true : undefined));
    const ports = { dynamoPort: first.dynamoPort, sqsPort: first.sqsPort };
    await first.stop();
    // Kept in the data folder: fauxqs' SQLite file holds it (it held it from the moment it was answered 200).
    const db = new DatabaseSync(join(dataDir, 'sqs', 'fauxqs.db'), { readOnly: true });
    expect(JSON.stringify(db.prepare('SELECT body FROM sqs_messages').all())).toContain('queued');
    db.close();

    const second = await startTestHub({ dataDir, ...ports });
    try {
      expect(second.env.RUNGOPHER_WEBHOOK_TOKEN).toBe(token);
      expect(second.env.HUB_OPERATOR_TOKEN).toBe(operator);
      const after = await operatorGet(second, '/rungopher/results');
      expect((after.body as { items: { id: string }[] }).items.map((i) => i.id).sort()).toEqual(expect.arrayContaining(['110', '111', '112']));
      // The queued message came back with the restart and is stored now that the table exists again.
      await eventually(async () => ((await operatorGet(second, '/rungopher/campaigns/15/contacts/queued')).status === 200 ? true : undefined));
    } finally {
      await second.stop();
    }
  });
});
