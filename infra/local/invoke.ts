import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
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

/**
 * Every function of the local runtime runs in one process, many invocations at once, as Lambda's
 * managed instances run concurrent invocations of one function. Lambda's own answer is its invoke
 * store (an AsyncLocalStorage per invocation, made by the runtime when `AWS_LAMBDA_MAX_CONCURRENCY`
 * is set): Powertools keeps each invocation's Lambda context and appended log keys there, so a log line
 * names the function and the ids of its own invocation, not those of the last one to start.
 */
const invokeStore = InvokeStore.getInstanceAsync(true);

/** Loads a handler module by path, as Lambda does; infra never imports handler code statically. */
export async function loadHandler(root: string, entry: string): Promise<LambdaHandler> {
  // Inside an invoke-store context too: Powertools' logger, made at import, writes its keys there.
  const store = await invokeStore;
  const mod = (await store.run({}, () => import(pathToFileURL(resolve(root, entry)).href))) as { handler?: unknown };
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
 * timeout, inside an invoke-store context of its own (see {@link invokeStore}; Powertools uses it when
 * `AWS_LAMBDA_MAX_CONCURRENCY` is set, as the hub sets it). A timed-out invocation rejects, like
 * Lambda's "Task timed out".
 */
export async function invoke(name: string, fn: FunctionDecl, handler: LambdaHandler, event: unknown): Promise<unknown> {
  const timeoutMs = (fn.timeoutSeconds ?? 30) * 1000;
  const deadline = Date.now() + timeoutMs;
  const context = createLambdaContext(name, () => Math.max(0, deadline - Date.now()), fn.memoryMb ?? 512);
  const requestId = context.awsRequestId;
  const store = await invokeStore;
  let timer: NodeJS.Timeout | undefined;
  try {
    const running = store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: requestId }, () => handler(event, context));
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
