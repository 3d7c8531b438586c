import { randomUUID } from 'node:crypto';
import type { GoodaysApi } from '#goodays/adapters/client.ts';
import { goodaysPayload } from '#goodays/domain/actions.ts';
import { TimeBudgetError, VendorError } from '#platform/errors.ts';
import { logger } from '#platform/observability.ts';
import type { ActionRecord, ActionState, ActionStore, ThreadStore, UserCache } from './ports.ts';
import { claimKeyOf } from '#goodays/domain/thread.ts';
import { markHandled, recordHubAction, summaryOf } from './threads.ts';

/** Dependencies of the action processor. */
export interface ActionDeps {
  readonly actions: ActionStore;
  readonly threads: ThreadStore;
  readonly users: UserCache;
  readonly api: GoodaysApi;
  readonly now?: () => Date;
  /** Attempts within one delivery. @default 4 */
  readonly maxAttempts?: number;
  /** @default 200 */
  readonly baseDelayMs?: number;
  /** @default 10_000 */
  readonly maxDelayMs?: number;
}

/** One delivery of an action message. */
export interface ActionDelivery {
  readonly actionId: string;
  /** SQS ApproximateReceiveCount of this delivery. */
  readonly receiveCount: number;
  /** Deliveries before the message would go to the DLQ; the last one fails the action instead. */
  readonly maxReceives: number;
  /** Epoch ms by which every Goodays request must be over (the Lambda's time budget less the final writes). */
  readonly deadline: number;
  /** SQS id of the message this delivery carries (another message may name the same action). */
  readonly messageId?: string;
  /** Epoch ms at which the invocation is stopped (the deadline plus the time kept for the last writes). @default deadline */
  readonly endsAt?: number;
}

/** `done`: nothing more to do with this message; `retry`: hand it back to SQS for a later delivery. */
export type ActionOutcome = { readonly result: 'done'; readonly state: ActionState | 'missing' } | { readonly result: 'retry'; readonly reason: string };

/**
 * Actions whose text reaches the customer: never sent twice. A timeout, a dropped connection or a
 * 5xx (other than 503 with Retry-After) may come after Goodays saved the text, so they make the
 * outcome unknown; only 429 and 503 with Retry-After are retried. close, call and spam only change
 * the response's state and nothing reaches the customer: they are retried on any 5xx, and a repeat of
 * one Goodays already applied is rejected (4xx, "already processed"), never applied twice.
 */
const TEXT_ACTIONS = new Set(['reply', 'message']);

/**
 * Sends one recorded action to Goodays. The record moves to `sending` (with a fresh token) BEFORE
 * the request, so a delivery that finds `sending` knows an attempt may have reached Goodays: a reply
 * or message is then marked `unknown` for a person to decide, never resent. 429/5xx back off with
 * jitter (Retry-After honoured) inside the delivery and then across deliveries; a 4xx fails the
 * action with Goodays' message and frees the response.
 */
export async function processGoodaysAction(delivery: ActionDelivery, deps: ActionDeps): Promise<ActionOutcome> {
  const now = () => (deps.now?.() ?? new Date()).toISOString();
  const record = await deps.actions.get(delivery.actionId);
  if (!record) return { result: 'done', state: 'missing' };
  const text = TEXT_ACTIONS.has(record.action);
  switch (record.state) {
    case 'succeeded':
    case 'failed':
    case 'unknown':
      return { result: 'done', state: record.state };
    case 'sending':
      if (heldElsewhere(record, delivery.messageId, Date.parse(now()))) return leaveToHolder(delivery);
      // An earlier delivery started sending and never recorded the outcome.
      if (text) return markUnknown(record, 'an earlier attempt may have reached Goodays; not resent', now(), deps);
      break;
    default:
      break;
  }

  let goodaysUserId = record.goodaysUserId;
  if (record.operatorEmail && !goodaysUserId) {
    try {
      goodaysUserId = await resolveUser(record.operatorEmail, deps, delivery.deadline);
    } catch (err) {
      if ((err instanceof VendorError && err.retryable) || err instanceof TimeBudgetError) return giveUpOrRetry(record, delivery, deps, `user lookup: ${err.message}`, err);
      if (err instanceof VendorError) return fail(record, deps, `user lookup failed: ${err.message}`, err);
      throw err;
    }
    if (!goodaysUserId) return fail(record, deps, `No Goodays user has the e-mail ${record.operatorEmail}`);
  }

  const sendToken = randomUUID();
  const sending: ActionRecord = {
    ...record,
    state: 'sending',
    sendToken,
    sendingUntil: new Date(delivery.endsAt ?? delivery.deadline).toISOString(),
    sendingMessageId: delivery.messageId,
    goodaysUserId,
    attempts: record.attempts + 1,
    updatedAt: now(),
  };
  if (!(await deps.actions.transition(sending, [record.state]))) return { result: 'retry', reason: 'action changed meanwhile' };

  try {
    const res = await deps.api.sendAction(record.responseId, record.action, goodaysPayload(record.body, goodaysUserId), {
      maxAttempts: deps.maxAttempts ?? 4,
      baseDelayMs: deps.baseDelayMs,
      maxDelayMs: deps.maxDelayMs,
      retryUnknownOutcome: !text,
      serverErrorOutcomeUnknown: text,
      deadline: delivery.deadline,
    });
    const done: ActionRecord = { ...sending, state: 'succeeded', vendorStatus: res.status, error: undefined, vendorMessages: undefined, updatedAt: now() };
    // `unknown` too: a person may have marked it while this delivery was still waiting.
    await deps.actions.transition(done, ['sending', 'unknown'], sendToken);
    await markHandled(record.responseId, record.createdAt, deps, summaryOf(done));
    return { result: 'done', state: 'succeeded' };
  } catch (err) {
    // No request was started (the deadline left no room for one): nothing can have reached Goodays,
    // so the action leaves `sending` for `retrying` (or fails on the last delivery) instead of
    // looking like an interrupted send, which would make a reply `unknown` for nothing.
    if (err instanceof TimeBudgetError) return giveUpOrRetry(sending, delivery, deps, err.message, err, sendToken);
    if (!(err instanceof VendorError)) throw err;
    if (err.outcomeUnknown && text) {
      const unknown: ActionRecord = { ...sending, state: 'unknown', error: `outcome unknown, not resent: ${err.message}`, updatedAt: now() };
      if (await deps.actions.transition(unknown, ['sending'], sendToken)) await recordHubAction(record.responseId, summaryOf(unknown), deps);
      return { result: 'done', state: 'unknown' };
    }
    if (!err.retryable) return fail(sending, deps, err.message, err, sendToken);
    return giveUpOrRetry(sending, delivery, deps, err.message, err, sendToken);
  }
}

/**
 * Whether another message's delivery may still be sending the action: it is `sending`, moved there by
 * a delivery of another message (a replayed request queues an `accepted` action again; SQS delivers at
 * least once) whose invocation has not ended yet. That delivery settles it; this one neither resends
 * nor marks anything. A record written before these fields, or the holder's own message again, is not.
 */
function heldElsewhere(record: ActionRecord, messageId: string | undefined, nowMs: number): boolean {
  if (record.state !== 'sending' || !record.sendingMessageId || !record.sendingUntil || !messageId) return false;
  return record.sendingMessageId !== messageId && nowMs < Date.parse(record.sendingUntil);
}

/**
 * This message while another delivery holds the action: handed back (on AWS it comes back after the
 * visibility timeout, six times the function's, so after the holder's invocation has ended: it then
 * finds the action settled, or caught mid-send and makes it `unknown`), which keeps a message for the
 * action should the holder die on its own last delivery. On this message's last delivery: dropped.
 */
function leaveToHolder(delivery: ActionDelivery): ActionOutcome {
  if (delivery.receiveCount >= delivery.maxReceives) return { result: 'done', state: 'sending' };
  return { result: 'retry', reason: 'another delivery is sending it' };
}

async function resolveUser(email: string, deps: ActionDeps, deadline: number): Promise<string | undefined> {
  const cached = await deps.users.get(email);
  if (cached) return cached;
  const id = await deps.api.findUserId(email, deadline);
  if (id) await deps.users.put(email, id);
  return id;
}

async function fail(record: ActionRecord, deps: ActionDeps, error: string, err?: VendorError, sendToken?: string): Promise<ActionOutcome> {
  const failed: ActionRecord = {
    ...record,
    state: 'failed',
    error,
    vendorStatus: err?.status,
    vendorMessages: err?.vendorMessages,
    updatedAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  const ok = await deps.actions.transition(failed, [record.state], sendToken);
  if (!ok) return { result: 'retry', reason: 'action changed meanwhile' };
  // The response is free again: the operator may choose another action.
  await releaseClaim(failed, deps);
  await recordHubAction(record.responseId, summaryOf(failed), deps);
  return { result: 'done', state: 'failed' };
}

async function giveUpOrRetry(
  record: ActionRecord,
  delivery: ActionDelivery,
  deps: ActionDeps,
  error: string,
  err: VendorError | TimeBudgetError,
  sendToken?: string,
): Promise<ActionOutcome> {
  const vendorErr = err instanceof VendorError ? err : undefined;
  if (delivery.receiveCount >= delivery.maxReceives) return fail(record, deps, `gave up after ${delivery.receiveCount} deliveries: ${error}`, vendorErr, sendToken);
  const retrying: ActionRecord = { ...record, state: 'retrying', error, vendorStatus: vendorErr?.status, vendorMessages: vendorErr?.vendorMessages, updatedAt: (deps.now?.() ?? new Date()).toISOString() };
  await deps.actions.transition(retrying, [record.state], sendToken);
  return { result: 'retry', reason: error };
}

/** Reads of a record that keeps changing under {@link abandonAction} before it gives up. */
const ABANDON_ATTEMPTS = 3;

/**
 * The last delivery of an action could not finish (no API token, not enough time left, DynamoDB
 * trouble, a lost race): the message is about to go to the DLQ, so the action is not left `accepted`
 * or `retrying` holding its claim for ever. One that never reached `sending` is failed and the
 * response freed: nothing was sent. One caught in `sending` may have been applied by Goodays, so it
 * becomes `unknown` for a person to check and resolve, whatever the action: a reply or message may
 * have reached the customer, and a close, call or spam may have changed the response (failing it
 * would free the response and record a failure for something Goodays did) — unless another message's
 * delivery is sending it at this moment (`messageId`): that one settles it. Needs DynamoDB: when the
 * store itself fails, this throws and the action stays as it was.
 */
export async function abandonAction(
  actionId: string,
  deps: Pick<ActionDeps, 'actions' | 'now'> & { readonly threads?: ThreadStore },
  error: unknown,
  messageId?: string,
): Promise<ActionOutcome> {
  const reason = error instanceof Error ? error.message : String(error);
  for (let attempt = 0; attempt < ABANDON_ATTEMPTS; attempt++) {
    const record = await deps.actions.get(actionId);
    if (!record) return { result: 'done', state: 'missing' };
    const at = (deps.now?.() ?? new Date()).toISOString();
    switch (record.state) {
      case 'succeeded':
      case 'failed':
      case 'unknown':
        return { result: 'done', state: record.state };
      case 'sending': {
        // Another message's delivery is sending it right now: that one settles it.
        if (heldElsewhere(record, messageId, Date.parse(at))) return { result: 'done', state: 'sending' };
        const outcome = await markUnknown(record, `last delivery failed while sending, not resent: ${reason}`, at, deps);
        if (outcome.result === 'done') return outcome;
        continue;
      }
      default:
        break;
    }
    const failed: ActionRecord = { ...record, state: 'failed', error: `gave up on the last delivery: ${reason}`, updatedAt: at };
    if (await deps.actions.transition(failed, [record.state])) {
      await releaseClaim(record, deps);
      await forgetOnThread(failed, deps.threads);
      return { result: 'done', state: 'failed' };
    }
    // Changed meanwhile (another copy of the message is at work on it): read it again.
  }
  return { result: 'retry', reason: 'action changed meanwhile' };
}

/**
 * The thread stops counting a failed action as something the hub did (so it can be `awaiting` again).
 * Best effort when settling a last delivery: the store may be the very thing that failed, and the
 * action is settled either way.
 */
async function forgetOnThread(failed: ActionRecord, threads: ThreadStore | undefined): Promise<void> {
  if (!threads) return;
  try {
    await recordHubAction(failed.responseId, summaryOf(failed), { threads });
  } catch (err) {
    logger.warn('Goodays action failed; the thread did not record it', { actionId: failed.actionId, error: err as Error });
  }
}

/** Frees what the action claimed (after a definite failure: nothing was sent). */
export async function releaseClaim(record: ActionRecord, deps: Pick<ActionDeps, 'actions'>): Promise<void> {
  const key = claimKeyOf(record);
  if (key !== undefined) await deps.actions.release(record.responseId, key, record.actionId);
}

/**
 * An action caught in `sending` that is not resent: it may have been applied, so it becomes `unknown`
 * for a person to resolve.
 */
async function markUnknown(record: ActionRecord, error: string, at: string, deps: Pick<ActionDeps, 'actions'>): Promise<ActionOutcome> {
  const ok = await deps.actions.transition({ ...record, state: 'unknown', error, updatedAt: at }, ['sending']);
  return ok ? { result: 'done', state: 'unknown' } : { result: 'retry', reason: 'action changed meanwhile' };
}
