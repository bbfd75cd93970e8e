// Phase timer: wall-clock seconds per named phase (self time, nested phases excluded); off by default, ~free when off.

/** One phase's accumulated self time and how often it was entered. */
export interface PhaseTotal {
  seconds: number;
  calls: number;
}

let enabled = false;
const totals = new Map<string, { ns: bigint; calls: number }>();
/** Open phases, innermost last; the time since `mark` belongs to the innermost one. */
const stack: string[] = [];
let mark = 0n;

/** Charges the time since the last mark to the innermost open phase and moves the mark to now. */
function charge(): void {
  const now = process.hrtime.bigint();
  const top = stack[stack.length - 1];
  if (top !== undefined) totals.get(top)!.ns += now - mark;
  mark = now;
}

function enter(name: string): void {
  charge();
  const t = totals.get(name);
  if (t) t.calls++;
  else totals.set(name, { ns: 0n, calls: 1 });
  stack.push(name);
}

function leave(): void {
  charge();
  stack.pop();
}

/**
 * Turns the timer on (totals cleared) or off. While off, {@link timePhase} and {@link timePhaseAsync} only call
 * their function (one boolean test); the experiment bench (src/bench/experiment.ts) turns it on.
 */
export function setPhaseTimer(on: boolean): void {
  enabled = on;
  totals.clear();
  stack.length = 0;
}

/**
 * Runs `fn` as phase `name`: its wall time, less that of phases opened inside it, is added to `name`'s total
 * (so the totals of all phases never count a second twice). Synchronous work only; see {@link timePhaseAsync}.
 */
export function timePhase<T>(name: string, fn: () => T): T {
  if (!enabled) return fn();
  enter(name);
  try {
    return fn();
  } finally {
    leave();
  }
}

/**
 * {@link timePhase} for an async function. Awaited time counts for `name` too, so use it only where nothing else
 * runs meanwhile (the pipeline runs one stage, one fit at a time).
 */
export async function timePhaseAsync<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!enabled) return fn();
  enter(name);
  try {
    return await fn();
  } finally {
    leave();
  }
}

/** The totals per phase since the timer was turned on, in seconds, phases in first-entered order. */
export function phaseTotals(): Record<string, PhaseTotal> {
  if (stack.length > 0) charge();
  const out: Record<string, PhaseTotal> = {};
  for (const [name, t] of totals) out[name] = { seconds: Number(t.ns) / 1e9, calls: t.calls };
  return out;
}
