/** Checks on labelled intervals: sorted without overlaps (naming both rows), and inside their recording. */
import { UserError } from '../../errors.js';
import { excerpt } from '../../util/excerpt.js';
import type { LabelInterval } from '../types.js';

/**
 * The intervals of one recording sorted by start; two that overlap (one starts before the other ends; touching
 * is fine) are an error naming both rows. `what` names the recording in the message.
 */
export function sortIntervals(intervals: readonly LabelInterval[], what: string): LabelInterval[] {
  const sorted = [...intervals].sort((a, b) => a.startS - b.startS || a.line - b.line);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as LabelInterval;
    const b = sorted[i] as LabelInterval;
    if (b.startS < a.endS)
      throw new UserError(
        `labels: ${b.file} lines ${Math.min(a.line, b.line)} and ${Math.max(a.line, b.line)}: intervals ${a.startS}-${a.endS} s and ${b.startS}-${b.endS} s of ${excerpt(what)} overlap`,
      );
  }
  return sorted;
}

/**
 * Checks that every interval ends within the recording (`samples` samples at `rateHz`; half a sample of slack):
 * one past the end is an error naming the file, the row and the field (`endS`, or `startS` when it starts there).
 */
export function checkIntervalsInside(
  intervals: readonly LabelInterval[],
  samples: number,
  rateHz: number,
  what: string,
): void {
  const durationS = samples / rateHz;
  const slack = 0.5 / rateHz;
  for (const iv of intervals) {
    const field = iv.startS >= durationS ? 'startS' : iv.endS > durationS + slack ? 'endS' : undefined;
    if (field !== undefined)
      throw new UserError(
        `labels: ${iv.file} line ${iv.line}: ${field} ${iv[field]} is past the end of ${excerpt(what)} (${Math.round(durationS * 1000) / 1000} s)`,
      );
  }
}
