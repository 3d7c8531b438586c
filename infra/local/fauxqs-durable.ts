import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { buildApp } from 'fauxqs';
// fauxqs 2.4.1 exports neither its stores nor its SQLite persistence, and its one entry that takes a
// data folder (`startFauxqs`) listens on 0.0.0.0. These are its own modules, imported by file path so
// that `buildApp` (which binds where it is told) gets the same stores `startFauxqs` would wire. The
// version is pinned exactly in package.json, checked below at start, and
// test/infra/local/fauxqs-durable.test.ts fails loudly if these files or their shapes move.
import { PersistenceManager } from '../../node_modules/fauxqs/dist/persistence.js';
import { S3Store } from '../../node_modules/fauxqs/dist/s3/s3Store.js';
import { SnsStore } from '../../node_modules/fauxqs/dist/sns/snsStore.js';
import { SqsStore } from '../../node_modules/fauxqs/dist/sqs/sqsStore.js';

/**
 * 2.4.1's `updateMessageReady` (ChangeMessageVisibility to 0) writes NULL into the NOT NULL receive
 * count and fails the request; this one clears only the receipt handle and deadline, as intended.
 */
class FixedPersistence extends PersistenceManager {
  readonly #ready: StatementSync;
  constructor(dataDir: string) {
    super(dataDir);
    const db = (this as unknown as { db: DatabaseSync }).db;
    db.exec('PRAGMA synchronous = NORMAL');
    this.#ready = db.prepare('UPDATE sqs_messages SET receipt_handle = NULL, visibility_deadline = NULL WHERE message_id = ?');
  }
  override updateMessageReady(messageId: string): void {
    this.#ready.run(messageId);
  }
}

/** The fauxqs version whose internals this module wires (pinned exactly in package.json). */
export const FAUXQS_VERSION = '2.4.1';
const FAUXQS_DIR = resolve(import.meta.dirname, '../../node_modules/fauxqs');

/** Thrown when the installed fauxqs is not the one whose internals are wired here. */
export class FauxqsVersionError extends Error {
  constructor(found: string) {
    super(`infra/local/fauxqs-durable.ts wires fauxqs ${FAUXQS_VERSION} internals, found fauxqs ${found}: check its dist/ layout, then update FAUXQS_VERSION`);
  }
}

export interface DurableFauxqs {
  /** The fastify app; listen on loopback with `app.listen({ host: '127.0.0.1', port })`. */
  readonly app: ReturnType<typeof buildApp>;
  /** Messages found in flight at start and made visible again (their consumers are gone). */
  readonly released: number;
}

/**
 * fauxqs with its SQLite persistence (`<dataDir>/fauxqs.db`), wired the way `startFauxqs` does it
 * (load first, then attach persistence to the stores), but served by `buildApp` so the caller chooses
 * the interface. Every SendMessage, receive and delete is written to SQLite before fauxqs answers, so
 * what was answered survives a kill of the process. Messages that were in flight when the last process
 * died are made visible at once: the caller holds the data folder's lock, so no consumer still has them.
 */
export function durableFauxqs(dataDir: string): DurableFauxqs {
  const found = (JSON.parse(readFileSync(resolve(FAUXQS_DIR, 'package.json'), 'utf8')) as { version?: unknown }).version;
  if (found !== FAUXQS_VERSION) throw new FauxqsVersionError(String(found));
  const sqsStore = new SqsStore();
  const snsStore = new SnsStore();
  const s3Store = new S3Store();
  const persistence = new FixedPersistence(dataDir);
  persistence.load(sqsStore, snsStore, s3Store);
  sqsStore.persistence = persistence;
  snsStore.persistence = persistence;
  s3Store.persistence = persistence;
  let released = 0;
  for (const queue of sqsStore.allQueues()) {
    queue.persistence = persistence;
    // In flight when the last process died: visible again now, as their visibility timeout would make them.
    for (const handle of [...queue.inflightMessages.keys()]) {
      queue.changeVisibility(handle, 0);
      released++;
    }
  }
  const app = buildApp({ logger: false, stores: { sqsStore, snsStore, s3Store } });
  app.addHook('preClose', () => persistence.close());
  return { app, released };
}
