// dnnlUnavailable(): the engine line's clause for a oneDNN tier that did not load: why, the remedy and the gain.

/**
 * What the oneDNN tier gains, measured on the 2-core development machine (Intel Xeon, AVX-512): the quickstart's
 * wall time from a fresh state, `wasm+dnnl` vs the portable `wasm` tier (README "Quickstart results": 1m11s vs 3m09s).
 */
export const DNNL_GAIN = {
  dnnlSeconds: 71,
  wasmSeconds: 189,
  where: 'the quickstart on the 2-core development machine, README "Quickstart results"',
} as const;

/** The command that builds the addon once libdnnl-dev is installed. */
export const DNNL_REBUILD = 'npm rebuild ecgssl-dnnl';

/** `1m14s` / `58s`. */
function minutes(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

/**
 * The cause of a load error, one short clause: the first line, without the node-gyp lines that older install
 * scripts appended (`<cause>: <error line> | <error line>`), at most 160 characters.
 */
function causeOf(loadError: string): string {
  let c = (loadError.split('\n')[0] ?? '').trim();
  c = c.split(' | ')[0]!;
  const old =
    /^(libdnnl-dev \(oneDNN\) not found at install time|node-gyp rebuild failed \(exit \w+\)): /.exec(c);
  if (old) c = old[1]!;
  c = c.replace(/[.\s]+$/, '');
  return c.length > 160 ? `${c.slice(0, 157)}...` : c || 'unknown error';
}

/**
 * One clause (no sentence break, no newline) for the engine line and `ecgssl doctor` when the oneDNN addon did not
 * load: the cause, the remedy (install libdnnl-dev, then rebuild the addon) and the gain measured ({@link DNNL_GAIN}).
 */
export function dnnlUnavailable(loadError: string): string {
  const g = DNNL_GAIN;
  const gain = (g.wasmSeconds / g.dnnlSeconds).toFixed(1);
  return (
    `addon not available (${causeOf(loadError)}); install libdnnl-dev (sudo apt-get install libdnnl-dev), ` +
    `then run ${DNNL_REBUILD}, for about ${gain}x the speed (${minutes(g.dnnlSeconds)} instead of ` +
    `${minutes(g.wasmSeconds)} for ${g.where})`
  );
}
