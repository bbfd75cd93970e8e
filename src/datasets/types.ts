/** Contracts between the dataset readers, the window store and the training stages. */

/** A labelled time interval of a recording (`data.labelsFile`, or `startS,endS` in a generic labels.csv). */
export interface LabelInterval {
  /** Seconds from the recording's start. */
  startS: number;
  endS: number;
  /** Labels of the windows inside the interval (as `RawRecording.labels`). */
  labels: Record<string, number>;
  /** The file that declared it. */
  file: string;
  /** 1-based line of that file (for error messages). */
  line: number;
}

/** One recording as a reader yields it, before preprocessing. */
export interface RawRecording {
  /** Subject id as the dataset names it (e.g. `P01`, `pp10`). */
  subject: string;
  /** Recording id, unique within the subject (trial, block, file stem). */
  recording: string;
  /** One ECG lead, in the recording's own units. */
  samples: Float32Array | Float64Array;
  /** Sampling rate of `samples` in Hz. */
  samplingRateHz: number;
  /** Labels of the whole recording; binary tasks as 0/1, `NaN` where unknown. Empty for unlabelled data. */
  labels: Record<string, number>;
  /**
   * Labelled intervals (sorted by start, not overlapping): windows are cut from each interval's start and lie
   * wholly inside it, and take its labels; the rest of the recording is cut the same way and takes `labels`
   * (then all NaN: unlabelled). Absent: `labels` label the whole recording.
   */
  intervals?: readonly LabelInterval[];
  /** Where it came from (file path), for error messages. */
  source: string;
}

/** One window in the store's index. */
export interface WindowEntry {
  subject: string;
  recording: string;
  /** Window number within its recording (0-based). */
  window: number;
  /** Label per task (0/1 or class index); `NaN` where unknown. */
  labels: Record<string, number>;
  /** Which dataset (index into the store's `sources`) it came from. */
  source: number;
}

/** Prepared, preprocessed windows on disk: Float32 binary plus a JSON index. */
export interface WindowStore {
  /** Folder of the store (`<cacheDir>/<hash>`). */
  readonly dir: string;
  /** Hash of the data + preprocessing config that produced it. */
  readonly hash: string;
  readonly windowSamples: number;
  readonly samplingRateHz: number;
  readonly entries: readonly WindowEntry[];
  /** Label tasks with their class counts, e.g. `{ arousal: 2, valence: 2 }`. */
  readonly tasks: Readonly<Record<string, number>>;
  /** Reads the given windows into one row-major [indices.length, windowSamples] Float32Array. */
  read(indices: readonly number[], out?: Float32Array): Float32Array;
  /** Releases file handles. */
  close(): void;
  /** Recordings left out because they are shorter than one window (stores written by prepareSource). */
  readonly skippedRecordings?: number;
}

/** Summary printed by `ecgssl prepare --json`. */
export interface PrepareSummary {
  storeDir: string;
  hash: string;
  windows: number;
  subjects: number;
  recordings: number;
  /** Per task, windows per label value: `{ arousal: { "0": 120, "1": 95 } }`. */
  labelCounts: Record<string, Record<string, number>>;
  /** True when the store already existed and was reused. */
  cached: boolean;
  /** Recordings left out because they are shorter than one window. */
  skippedRecordings?: number;
}

/** What the data preparation tells a reader. */
export interface ReaderContext {
  /**
   * The preprocessing target rate in Hz. A reader of very long recordings (SWELL at 2048 Hz) may resample while it
   * reads, in chunks, and yield recordings already at this rate, so a whole recording never sits in memory at
   * its source rate.
   */
  targetRateHz?: number;
  /** Progress/diagnostic messages (stderr). */
  log?: (msg: string) => void;
  /** A reader that knows how many recordings it will yield may announce it (for the progress bar). */
  onTotal?: (recordings: number) => void;
}

/** A dataset reader: yields ALL recordings of one subject contiguously, subject after subject. */
export type RecordingReader<S = import('../config/schema.js').DataSource> = (
  source: S,
  ctx: ReaderContext,
) => AsyncGenerator<RawRecording>;

/** What a reader folder hands the registry (src/datasets/readers/registry.ts), loaded on first use. */
export interface ReaderModule<S> {
  read: RecordingReader<S>;
  /** Makes `source.root` hold the data before it is fingerprinted for the store key (the synthetic generator). */
  materialize?: (source: S) => void;
}
