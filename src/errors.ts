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

/** Throws a {@link UserError} naming the function and the bad value when `cond` is false. */
export function check(cond: unknown, fn: string, message: string): asserts cond {
  if (!cond) throw new UserError(`${fn}: ${message}`);
}
