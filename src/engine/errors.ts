/**
 * A mistake the user can fix: a stable code for logs and tests, and the one line the user reads
 * (what was wrong and what to type instead). Adapters render it; it is never logged with a stack.
 */
export class UserError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "UserError";
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** The database did not answer: the user is told to try again later; nothing was written. */
export class UnavailableError extends Error {
  readonly code = "TEMPORARILY_UNAVAILABLE";
  constructor(cause?: unknown) {
    super("crowdcart is temporarily unavailable; please try again in a minute.", { cause });
    this.name = "UnavailableError";
  }
}
