/**
 * One local AWS emulator (dynalite or fauxqs) served from a worker thread of the hub's process, so
 * that its work (parsing and answering every request, LevelDB and SQLite writes) runs beside the
 * functions instead of between them: on two cores the hub's main thread keeps the functions, the
 * gateway and the SDK clients. It is the same process: a kill of the hub kills the emulators with it,
 * and what fauxqs answered is in SQLite before the answer leaves, as before.
 *
 * Loaded by Node itself (type stripping, no loader), so it imports only erasable TypeScript.
 * Protocol: workerData says what to serve; the worker posts `{ port, released }` once listening, or
 * `{ error }`; a `'stop'` message closes the server and the worker then exits.
 */
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';
import { buildApp } from 'fauxqs';
import { durableFauxqs } from './fauxqs-durable.ts';

export interface EmulatorWorkerData {
  readonly kind: 'dynamodb' | 'sqs';
  /** Folder for the data (LevelDB or SQLite); undefined keeps it in memory. */
  readonly path?: string;
  readonly port?: number;
}

export type EmulatorWorkerReply = { readonly port: number; readonly released: number } | { readonly error: string };

async function serve(data: EmulatorWorkerData): Promise<{ port: number; released: number; close(): Promise<void> }> {
  if (data.kind === 'dynamodb') {
    if (data.path) await mkdir(data.path, { recursive: true });
    const dyn: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(data.path ? { path: data.path } : {}) });
    await new Promise<void>((resolve, reject) => {
      dyn.once('error', reject);
      dyn.listen(data.port ?? 0, '127.0.0.1', () => resolve());
    });
    return { port: (dyn.address() as AddressInfo).port, released: 0, close: () => new Promise<void>((resolve) => dyn.close(() => resolve())) };
  }
  // buildApp instead of startFauxqs: the latter listens on every interface, we want loopback only.
  const durable = data.path ? durableFauxqs(data.path) : undefined;
  const fq = durable?.app ?? buildApp({ logger: false });
  const endpoint = await fq.listen({ port: data.port ?? 0, host: '127.0.0.1' });
  return { port: Number(new URL(endpoint).port), released: durable?.released ?? 0, close: () => fq.close() };
}

const port = parentPort;
if (port) {
  serve(workerData as EmulatorWorkerData).then(
    (server) => {
      port.postMessage({ port: server.port, released: server.released } satisfies EmulatorWorkerReply);
      port.on('message', (m) => {
        if (m === 'stop') void server.close().finally(() => port.close());
      });
    },
    (err: unknown) => {
      port.postMessage({ error: err instanceof Error ? err.message : String(err) } satisfies EmulatorWorkerReply);
      port.close();
    },
  );
}
