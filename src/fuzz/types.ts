/** Contracts of the reader fuzzer (src/fuzz). */

/** One file of a fuzz input, relative to the case folder (`/` separated). */
export interface FuzzFile {
  name: string;
  bytes: Uint8Array;
}

/** A fixed-width header field the `header` mutator may overwrite with hostile values. */
export interface HeaderField {
  /** Which file of the input. */
  file: string;
  offset: number;
  length: number;
  /** `ascii`: space-padded text (EDF); `u8`/`u16le`/`u32le`: binary unsigned integers (npy). */
  encoding: 'ascii' | 'u8' | 'u16le' | 'u32le';
}

/** A set of files a reader reads together (one recording, a WFDB record, a dataset folder, a config). */
export interface FuzzInput {
  /** Short label of the seed, for reports. */
  label: string;
  files: FuzzFile[];
  /** Fixed-width header fields of the files (binary formats). */
  fields?: HeaderField[];
}

/** One reader under fuzzing: its seed corpus and how to call it. */
export interface FuzzTarget {
  /** Short name (`npy`, `csv`, `edf`, `wfdb`, `labels`, `generic`, `config`, `mat`, `poly5`, `swell-text`). */
  name: string;
  /** What is exercised, for the report. */
  description: string;
  /** Valid inputs the mutators start from; each must read without error. */
  corpus(): FuzzInput[] | Promise<FuzzInput[]>;
  /**
   * Reads the input written under `dir` (the input's files keep their names) the way ecgssl does; resolves to
   * whatever the reader returns, or throws.
   */
  read(dir: string): Promise<unknown>;
  /** Checks a successful read's result; returns why it is unacceptable (e.g. a non-finite sample), or undefined. */
  check?(result: unknown): string | undefined;
}

/** How one case ended. */
export type CaseKind = 'ok' | 'user-error' | 'failure';

/** Why a case is a failure. */
export type FailureReason =
  | 'exception' // an exception that is not a UserError
  | 'multi-line' // a UserError whose message (or a detail line) spans lines
  | 'control-char' // a UserError message carrying control characters (raw file bytes)
  | 'too-long' // a UserError message longer than the bound (echoes a whole field/file)
  | 'no-path' // a UserError message that names no file of the case
  | 'bad-result' // parsed, but the result breaks the reader's contract (non-finite sample, bad rate)
  | 'seed-rejected' // an unmutated seed input did not read
  | 'allocation' // one allocation larger than the bound for the input size
  | 'hang' // ran past the per-case time limit
  | 'memory' // the worker ran out of its heap limit
  | 'crash'; // the worker died

/** Result of one case. */
export interface CaseResult {
  kind: CaseKind;
  reason?: FailureReason;
  /** The UserError message, or the failure's description. */
  message?: string;
  /** Stack of an unexpected exception. */
  stack?: string;
  /** The mutations applied (e.g. `truncate(edf.edf@312)`), for the report. */
  mutations: string[];
  /** The seed input it was derived from. */
  seedLabel: string;
  /** Largest single allocation made while reading (bytes). */
  maxAllocationBytes: number;
  ms: number;
}

/** A failing case: enough to reproduce it (`ecgssl-fuzz --reader <target> --seed <seed> --case <caseIndex>`). */
export interface FuzzFailure {
  target: string;
  seed: number;
  caseIndex: number;
  reason: FailureReason;
  message: string;
  mutations: string[];
  seedLabel: string;
  stack?: string;
}

/** Per-target summary of a fuzz run. */
export interface FuzzTargetReport {
  target: string;
  cases: number;
  ok: number;
  userErrors: number;
  failures: FuzzFailure[];
  seconds: number;
}
