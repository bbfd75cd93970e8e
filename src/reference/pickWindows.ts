// Picks an evenly spaced subset of pretraining windows from each store, in proportion to the stores' sizes.
import { check } from '../errors.js';

/**
 * Indices into the concatenation of stores of sizes `storeSizes`: `count` windows in all (all of them when `count`
 * is undefined or at least the total), split over the stores in proportion to their sizes with at least one from
 * each non-empty store, evenly spaced within each store (deterministic: no random draw).
 */
export function pickWindows(storeSizes: readonly number[], count?: number): number[] {
  const total = storeSizes.reduce((a, n) => a + n, 0);
  check(total > 0, 'pickWindows', 'the stores hold no windows');
  if (count === undefined || count >= total) return Array.from({ length: total }, (_, i) => i);
  const nonEmpty = storeSizes.filter((n) => n > 0).length;
  check(
    Number.isInteger(count) && count >= nonEmpty,
    'pickWindows',
    `count ${count} must be an integer of at least ${nonEmpty} (one window per store)`,
  );
  const out: number[] = [];
  let offset = 0;
  let left = count;
  let sizeLeft = total;
  storeSizes.forEach((n, s) => {
    const storesAfter = storeSizes.slice(s + 1).filter((m) => m > 0).length;
    const take =
      n === 0 ? 0 : Math.min(n, Math.max(1, Math.min(left - storesAfter, Math.round((left * n) / sizeLeft))));
    for (let i = 0; i < take; i++) out.push(offset + Math.floor((i * n) / take));
    offset += n;
    left -= take;
    sizeLeft -= n;
  });
  return out;
}
