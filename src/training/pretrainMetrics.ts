// Per-head pretext metrics (accuracy, F1) accumulated over batches, and the heads still at chance.
import { InternalError } from '../errors.js';

/** Accuracy and F1 (positive class, threshold 0.5) of one head. */
export interface TaskMetrics {
  accuracy: number;
  f1: number;
}

/** Held-out (or training) F1 under which a head counts as still at chance at the end of pretraining. */
export const CHANCE_F1 = 0.2;

/** Confusion counts per head, accumulated over batches. */
export class PretextCounter {
  private readonly tp: Float64Array;
  private readonly fp: Float64Array;
  private readonly fn: Float64Array;
  private readonly tn: Float64Array;

  /** A counter for `heads` heads (the transformation table's length). */
  constructor(readonly heads: number) {
    if (!Number.isInteger(heads) || heads < 1)
      throw new InternalError(`PretextCounter: heads must be a positive integer, got ${heads}`);
    this.tp = new Float64Array(heads);
    this.fp = new Float64Array(heads);
    this.fn = new Float64Array(heads);
    this.tn = new Float64Array(heads);
  }

  /** Adds a batch: `scores` [samples, heads] head outputs (or logits with `logits`), `transform` per sample. */
  add(scores: Float32Array, transform: Uint8Array, logits = false): void {
    const heads = this.heads;
    if (scores.length !== transform.length * heads)
      throw new InternalError(
        `PretextCounter.add: ${transform.length} samples x ${heads} heads need ${transform.length * heads} scores, got ${scores.length}`,
      );
    const thr = logits ? 0 : 0.5;
    for (let k = 0; k < transform.length; k++) {
      for (let t = 0; t < heads; t++) {
        const p = (scores[k * heads + t] as number) > thr;
        const y = transform[k] === t;
        const c = p ? (y ? this.tp : this.fp) : y ? this.fn : this.tn;
        c[t] = (c[t] ?? 0) + 1;
      }
    }
  }

  /** The counts so far, [tp, fp, fn, tn] per head (a mid-epoch checkpoint keeps them). */
  counts(): number[][] {
    return [this.tp, this.fp, this.fn, this.tn].map((c) => Array.from(c));
  }

  /** Continues from {@link PretextCounter.counts} of a counter with as many heads. */
  restore(counts: readonly (readonly number[])[]): this {
    const all = [this.tp, this.fp, this.fn, this.tn];
    if (counts.length !== 4 || counts.some((c) => c.length !== this.heads))
      throw new InternalError(
        `PretextCounter.restore: need 4 x ${this.heads} counts, got ${JSON.stringify(counts)}`,
      );
    counts.forEach((c, i) => (all[i] as Float64Array).set(c));
    return this;
  }

  /** Per-head accuracy and F1 (F1 = 0 when the head has no positive prediction and no positive label). */
  result(): TaskMetrics[] {
    const out: TaskMetrics[] = [];
    for (let t = 0; t < this.heads; t++) {
      const tp = this.tp[t] as number,
        fp = this.fp[t] as number,
        fn = this.fn[t] as number,
        tn = this.tn[t] as number;
      const n = tp + fp + fn + tn;
      const d = 2 * tp + fp + fn;
      out.push({ accuracy: n > 0 ? (tp + tn) / n : NaN, f1: d > 0 ? (2 * tp) / d : 0 });
    }
    return out;
  }
}

/** Names of the heads whose final F1 is under {@link CHANCE_F1} (or not a number), in head order. */
export function headsAtChance(final: readonly { task: string; f1: number }[]): string[] {
  return final.filter((m) => !(m.f1 >= CHANCE_F1)).map((m) => m.task);
}
