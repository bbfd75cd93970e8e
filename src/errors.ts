// The two error classes: UserError (a problem the user can fix, exit 1) and InternalError (a bug, exit 2).

/**
 * A problem the user can fix (bad config, missing file, malformed data). The CLI prints its message as one line
 * and exits 1, without a stack trace unless `--verbose`.
 */
export class UserError extends Error {
  /** Extra lines (e.g. one per bad config field), printed after the message. */
  readonly details: string[];
  constructor(message: string, details: string[] = []) {
    super(message);
    this.name = 'UserError';
    this.details = details;
  }
}

/**
 * A broken internal invariant (a caller passed inconsistent shapes, a kernel got mismatched buffers): a bug in
 * ecgssl, never something in the user's config or data. The CLI prints `ecgssl: internal error: <message>` with a
 * request to report it, and exits 2.
 */
export class InternalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InternalError';
  }
}

/** Throws a {@link UserError} naming the function and the bad value when `cond` is false. */
export function check(cond: unknown, fn: string, message: string): asserts cond {
  if (!cond) throw new UserError(`${fn}: ${message}`);
}

/** Throws an {@link InternalError} naming the function and the bad value when the invariant `cond` is false. */
export function invariant(cond: unknown, fn: string, message: string): asserts cond {
  if (!cond) throw new InternalError(`${fn}: ${message}`);
}
