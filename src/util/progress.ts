// Progress reporters for long loops: a bar on a terminal's stderr, else plain lines (batch logs; also under --json).
import cliProgress from 'cli-progress';
import { getLogLevel } from './log.js';

/** How a plain line is asked for in {@link Progress.update}. */
export interface ProgressUpdateOptions {
  /** Print a plain line now, whatever the interval (e.g. a fold ended). */
  line?: boolean;
}

/** A progress reporter for one long loop (an epoch, a stage). Always on stderr. */
export interface Progress {
  /**
   * Advance to `value` (absolute; may be fractional inside a unit) and update the shown fields (e.g.
   * `{ loss: '0.213' }`). Without a terminal a plain line is printed at most every {@link progressIntervalMs},
   * or at once with `line`.
   */
  update(value: number, fields?: Record<string, string | number>, opts?: ProgressUpdateOptions): void;
  /** Finish at `done` (default: the total; less for a loop stopped early); in plain mode one summary line. */
  stop(fields?: Record<string, string | number>, done?: number): void;
}

/** Where a loop sits in its stage, for the elapsed and remaining time of plain lines. */
export interface ProgressStage {
  /** When the stage started (ms since the epoch, `Date.now()`). */
  startedMs: number;
  /** Units of the stage done before this loop started, counting `resumed`. */
  before: number;
  /** Units of the whole stage. */
  total: number;
  /** Units done before `startedMs` (a resumed stage): not counted in the speed. Default 0. */
  resumed?: number;
}

export interface ProgressArgs {
  /** Short label shown before the bar, e.g. `pretrain epoch 3/100`. */
  label: string;
  /** Total units of work (batches, windows, recordings). */
  total: number;
  /** Unit name shown after the count, e.g. `batches`. */
  unit?: string;
  /** The loop's place in its stage (default: the loop is the stage, started when the reporter was made). */
  stage?: ProgressStage;
}

let jsonMode = false;
/** Under `--json` progress falls back to plain lines, like a non-TTY stderr. */
export function setProgressJsonMode(on: boolean): void {
  jsonMode = on;
}

/**
 * Least time between two plain progress lines: ECGSSL_PROGRESS_INTERVAL_S seconds (tests set it low), else 30 s.
 */
export function progressIntervalMs(): number {
  const s = Number(process.env.ECGSSL_PROGRESS_INTERVAL_S);
  return Number.isFinite(s) && s >= 0 && process.env.ECGSSL_PROGRESS_INTERVAL_S !== '' ? s * 1000 : 30_000;
}

function fmtFields(fields: Record<string, string | number> | undefined): string {
  if (!fields) return '';
  return Object.entries(fields)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(4)) : v}`)
    .join('  ');
}

/** `42s`, `3m05s`, `2h04m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `elapsed 1m02s  remaining ~3m10s` of a stage with `done` units done now. */
function clock(stage: ProgressStage, done: number): string {
  const elapsed = (Date.now() - stage.startedMs) / 1000;
  const counted = done - (stage.resumed ?? 0);
  const remaining =
    counted > 0 ? formatDuration((elapsed / counted) * Math.max(0, stage.total - done)) : 'unknown';
  return `elapsed ${formatDuration(elapsed)}  remaining ~${remaining}`;
}

/** The cli-progress bar of a terminal's stderr. */
function barProgress(args: ProgressArgs): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: `${args.label} [{bar}] {value}/{total} ${args.unit ?? ''} {eta_formatted} {fields}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(args.total, 0, { fields: '' });
  return {
    update(value, fields) {
      bar.update(Math.floor(value), { fields: fmtFields(fields) });
    },
    stop(fields, done = args.total) {
      if (fields) bar.update(done, { fields: fmtFields(fields) });
      bar.stop();
    },
  };
}

/**
 * Creates a cli-progress bar on stderr when stderr is a TTY and neither `--quiet` nor `--json` is set;
 * otherwise plain lines for batch logs: one when asked (`update(.., { line: true })`, e.g. per fold), one whenever
 * {@link progressIntervalMs} passed since the last, and one when the loop ends, each with the stage's elapsed and
 * estimated remaining time (nothing under `--quiet`).
 */
export function createProgress(args: ProgressArgs): Progress {
  const level = getLogLevel();
  if (process.stderr.isTTY && level !== 'quiet' && !jsonMode) return barProgress(args);
  const unit = args.unit ?? '';
  const started = Date.now();
  const stage = args.stage ?? { startedMs: started, before: 0, total: args.total };
  const interval = progressIntervalMs();
  let lastLine = started;
  let last: Record<string, string | number> | undefined;
  return {
    update(value, fields, opts) {
      if (fields) last = fields;
      if (level === 'quiet' || (!opts?.line && Date.now() - lastLine < interval)) return;
      lastLine = Date.now();
      const count = `${Math.floor(value)}/${args.total} ${unit}`.trimEnd();
      process.stderr.write(
        `${args.label}: ${fmtFields(fields ?? last)}  ${count}  ${clock(stage, stage.before + value)}\n`,
      );
    },
    stop(fields, done = args.total) {
      if (level === 'quiet') return;
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      const timing = args.stage ? `  ${clock(stage, stage.before + done)}` : '';
      const count = done === args.total ? `${done}` : `${done}/${args.total}`;
      process.stderr.write(
        `${args.label}: ${count} ${unit} in ${secs}s  ${fmtFields(fields ?? last)}${timing}\n`,
      );
    },
  };
}
