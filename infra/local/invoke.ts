import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FunctionDecl } from '#infra/topology/index.ts';

/** A loaded Lambda handler, called as Lambda calls it. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** Raised when an invocation outlives its function's timeout, as Lambda would report it. */
export class LocalTimeoutError extends Error {
  override readonly name = 'LocalTimeoutError';
  constructor(
    message: string,
    /** The invocation itself, still running: Lambda would kill it, here it can only be awaited. */
    readonly pending: Promise<unknown>,
  ) {
    super(message);
  }
}

/** Loads a handler module by path, as Lambda does; infra never imports handler code statically. */
export async function loadHandler(root: string, entry: string): Promise<LambdaHandler> {
  const mod = (await import(pathToFileURL(resolve(root, entry)).href)) as { handler?: unknown };
  if (typeof mod.handler !== 'function') throw new Error(`${entry} does not export a handler function`);
  return mod.handler as LambdaHandler;
}

/** A Lambda context as the runtime gives one: names, a fresh request id, and the remaining time. */
export function createLambdaContext(name: string, getRemainingTimeInMillis: () => number, memoryMb = 512): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Invokes a handler with a Lambda-like context (request id, remaining time) and the function's
 * timeout. A timed-out invocation rejects, like Lambda's "Task timed out".
 */
export async function invoke(name: string, fn: FunctionDecl, handler: LambdaHandler, event: unknown): Promise<unknown> {
  const timeoutMs = (fn.timeoutSeconds ?? 30) * 1000;
  const deadline = Date.now() + timeoutMs;
  const context = createLambdaContext(name, () => Math.max(0, deadline - Date.now()), fn.memoryMb ?? 512);
  const requestId = context.awsRequestId;
  let timer: NodeJS.Timeout | undefined;
  try {
    const running = handler(event, context);
    return await Promise.race([
      running,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new LocalTimeoutError(`${name} timed out after ${timeoutMs} ms (request ${requestId})`, running)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
