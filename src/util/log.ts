// Logging to stderr at one of three levels (quiet, normal, verbose); results never go through it.
/** Log levels: results go to stdout; logs and progress go to stderr. */
export type LogLevel = 'quiet' | 'normal' | 'verbose';

let level: LogLevel = 'normal';

/** Sets the global stderr log level (from `--quiet` / `--verbose`). */
export function setLogLevel(l: LogLevel): void {
  level = l;
}
export function getLogLevel(): LogLevel {
  return level;
}

/** stderr logger. `info` is hidden under --quiet, `debug` shown only under --verbose; `warn` always shows. */
export const log = {
  info(msg: string): void {
    if (level !== 'quiet') process.stderr.write(msg + '\n');
  },
  warn(msg: string): void {
    process.stderr.write(`warning: ${msg}\n`);
  },
  debug(msg: string): void {
    if (level === 'verbose') process.stderr.write(`[debug] ${msg}\n`);
  },
};
