import { STR_TASK_COUNT } from '../models/index.js';

/** Accuracy and F1 (positive class, threshold 0.5) of one head. */
export interface TaskMetrics {
  accuracy: number;
  f1: number;
}

/** Confusion counts per head, accumulated over batches. */
export class PretextCounter {
  private readonly tp = new Float64Array(STR_TASK_COUNT);
  private readonly fp = new Float64Array(STR_TASK_COUNT);
  private readonly fn = new Float64Array(STR_TASK_COUNT);
  private readonly tn = new Float64Array(STR_TASK_COUNT);

  /** Adds a batch: `probs` [samples, 7] head outputs (or logits with `logits`), `transform` per sample. */
  add(scores: Float32Array, transform: Uint8Array, logits = false): void {
    const thr = logits ? 0 : 0.5;
    for (let k = 0; k < transform.length; k++) {
      for (let t = 0; t < STR_TASK_COUNT; t++) {
        const p = (scores[k * STR_TASK_COUNT + t] as number) > thr;
        const y = transform[k] === t;
        const c = p ? (y ? this.tp : this.fp) : y ? this.fn : this.tn;
        c[t] = (c[t] ?? 0) + 1;
      }
    }
  }

  /** Per-head accuracy and F1 (F1 = 0 when the head has no positive prediction and no positive label). */
  result(): TaskMetrics[] {
    const out: TaskMetrics[] = [];
    for (let t = 0; t < STR_TASK_COUNT; t++) {
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
