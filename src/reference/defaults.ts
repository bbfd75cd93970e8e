// Default and CI-size (--quick) settings of the PyTorch differential reference (see configs/reference.yaml).

/** `npm run reference` defaults: seeds, windows (evenly spaced per store); epochs come from the config. */
export const REFERENCE_DEFAULTS = { seeds: [1, 2, 3], windows: 200, epochs: undefined } as const;

/** `--quick` (test/reference/reference.test.ts): one seed, 12 windows (9 training, 3 held out), 2 epochs. */
export const REFERENCE_QUICK = { seeds: [1], windows: 12, epochs: 2 } as const;
