/**
 * Error classes. Handlers map them to HTTP status codes or to a record failure; nothing below a
 * handler decides a status code.
 */

/**
 * One bad parameter of a request: `name` is the query or path parameter or header (`limit`,
 * `cursor`, `Idempotency-Key`), or `body` / `body.<field>` for a JSON body; `detail` says why.
 */
export interface Issue {
  readonly name: string;
  readonly detail: string;
}

/** Input from outside (a request, a payload, a file) that fails validation: 400. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    message: string,
    /** Each bad parameter, shown to the caller as they are (the problem document's `errors`). */
    readonly issues: readonly Issue[] = [],
  ) {
    super(message);
  }
}

/** Missing or wrong credentials: 401. */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
}

/** The thing asked for does not exist: 404. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The request conflicts with the current state (an action the thread does not allow): 409. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A request body larger than the route accepts: 413. */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

/** Configuration that is missing or malformed; thrown once at cold start. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * A vendor answered with an error. `retryable` is true for 429, 5xx and transport failures;
 * `outcomeUnknown` is true when the request may have reached the vendor (timeout, reset after send).
 */
export class VendorError extends Error {
  override readonly name = 'VendorError';
  constructor(
    message: string,
    readonly vendor: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    readonly outcomeUnknown: boolean,
    readonly vendorMessages: readonly string[] = [],
    /** Seconds from a Retry-After header, when the vendor sent one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/**
 * A queue record deliberately handed back for a later delivery (a back-off, not enough time left).
 * Not a failure: a batch made only of hand-backs is not reported as a function error.
 */
export class HandBackError extends Error {
  override readonly name: string = 'HandBackError';
}

/** An operation stopped because its time budget ran out; what it did is kept, the rest is retried. */
export class TimeBudgetError extends HandBackError {
  override readonly name = 'TimeBudgetError';
}
