// The CLI's output: results on stdout, messages on stderr (both replaceable in tests), JSON or tables.
import type { CommonOptions } from './common.js';

/** Where the CLI writes results (`out`, stdout) and messages (`err`, stderr); replaceable for in-process tests. */
export interface CliStreams {
  out(text: string): void;
  err(text: string): void;
}

const processStreams: CliStreams = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};
let streams: CliStreams = processStreams;

/** Redirects the CLI's stdout/stderr text (`undefined` restores the process streams). */
export function setCliStreams(s: CliStreams | undefined): void {
  streams = s ?? processStreams;
}
/** Writes result text to the CLI's stdout. */
export function cliOut(text: string): void {
  streams.out(text);
}
/** Writes message text to the CLI's stderr. */
export function cliErr(text: string): void {
  streams.err(text);
}

/**
 * Prints a command's result on stdout: with `--json` the object as JSON (include `runDir` in it where the
 * command has one), otherwise the human-readable text. Logs and progress never go to stdout.
 */
export function printResult(opts: Pick<CommonOptions, 'json'>, result: object, human: string): void {
  if (opts.json) {
    cliOut(JSON.stringify(result, null, 2) + '\n');
  } else if (human.length > 0) {
    cliOut(human.endsWith('\n') ? human : human + '\n');
  }
}

/** Formats rows as an aligned plain-text table (numbers right-aligned). */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = [
    header.map(String),
    ...rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US') : c))),
  ];
  const numeric = header.map((_, j) => rows.length > 0 && rows.every((r) => typeof r[j] === 'number'));
  const widths = header.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, j) => (numeric[j] ? c.padStart(widths[j] ?? 0) : c.padEnd(widths[j] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
