// Progress reporters for long loops: a bar on a terminal's stderr, plain lines otherwise (and under --json).
import cliProgress from 'cli-progress';
import { getLogLevel } from './log.js';

/** A progress reporter for one long loop (an epoch, a stage). Always on stderr. */
export interface Progress {
  /** Advance to `value` (absolute) and update the shown fields (e.g. `{ loss: '0.213' }`). */
  update(value: number, fields?: Record<string, string | number>): void;
  /** Finish; in plain mode prints one summary line with the last fields. */
  stop(fields?: Record<string, string | number>): void;
}

export interface ProgressArgs {
  /** Short label shown before the bar, e.g. `pretrain epoch 3/100`. */
  label: string;
  /** Total units of work (batches, windows, recordings). */
  total: number;
  /** Unit name shown after the count, e.g. `batches`. */
  unit?: string;
}

let jsonMode = false;
/** Under `--json` progress falls back to plain lines, like a non-TTY stderr. */
export function setProgressJsonMode(on: boolean): void {
  jsonMode = on;
}

function fmtFields(fields: Record<string, string | number> | undefined): string {
  if (!fields) return '';
  return Object.entries(fields)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(4)) : v}`)
    .join('  ');
}

/**
 * Creates a cli-progress bar on stderr when stderr is a TTY and neither `--quiet` nor `--json` is set;
 * otherwise a plain reporter that prints one line when the loop ends (nothing under `--quiet`).
 */
export function createProgress(args: ProgressArgs): Progress {
  const level = getLogLevel();
  const unit = args.unit ?? '';
  if (process.stderr.isTTY && level !== 'quiet' && !jsonMode) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${args.label} [{bar}] {value}/{total} ${unit} {eta_formatted} {fields}`,
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
        bar.update(value, { fields: fmtFields(fields) });
      },
      stop(fields) {
        if (fields) bar.update(args.total, { fields: fmtFields(fields) });
        bar.stop();
      },
    };
  }
  const started = Date.now();
  let last: Record<string, string | number> | undefined;
  return {
    update(_value, fields) {
      if (fields) last = fields;
    },
    stop(fields) {
      if (level === 'quiet') return;
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      process.stderr.write(
        `${args.label}: ${args.total} ${unit} in ${secs}s  ${fmtFields(fields ?? last)}\n`,
      );
    },
  };
}
