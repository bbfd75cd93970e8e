// Engine benchmark (`npm run bench -- --only engine`): training and inference windows/s per engine, vs PyTorch.
/*
 * Training windows/s (the real pretraining step, forward + backward + Adam, on the network src/models builds,
 * src/training/paperBench.ts) and inference windows/s for each available engine, at batch 16, 32, 64, 128 and the
 * 896-sample SSL batch (128 windows x 7 transformed versions), each (engine, batch) in its own child process so that
 * peak RSS belongs to it (the wasm heap never shrinks). Median of several steps after warm-up. When
 * ECGSSL_REFERENCE_PYTHON (default `/usr/bin/python3`) has torch, the same network is measured in PyTorch and the
 * ratio is reported. The native tier is measured in fp32 (`wasm+dnnl`) and with `engine.precision: bf16`
 * (`wasm+dnnl bf16`, skipped with the reason where the CPU has no bf16), with their ratio per batch.
 * ECGSSL_BENCH_ENGINES=<name>,<name> measures only the rows of those names (e.g. `wasm+dnnl,wasm+dnnl bf16`: the
 * native tier alone, a few minutes).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PrecisionPairs } from './_precisionPairs.js';
import type { BackendReport } from '../engine/types.js';
import { REFERENCE_PYTHON, torchUnavailableReason } from '../util/torchAvailable.js';

export interface ChildConfig {
  name: string;
  preference: 'wasm' | 'cpu';
  threads: number;
  dnnl: boolean;
  /** FFT convolutions (default: initBackend's, on). */
  fftConv?: boolean;
  /** engine.precision of the oneDNN convolutions (default fp32). */
  precision?: 'fp32' | 'bf16';
  /** Instead of the row: this many interleaved fp32/bf16 training-step pairs (./_precisionPairs.ts). */
  precisionPairs?: number;
  batch: number;
  trainSteps: number;
  inferSteps: number;
}

export interface EngineRow {
  name: string;
  batch: number;
  trainWindowsPerSecond: number | null;
  inferWindowsPerSecond: number | null;
  peakRssMiB: number;
  trainMsMedian?: number;
  engine?: string;
  precision?: string;
  precisionPairs?: PrecisionPairs;
  threads?: number;
  network?: string;
  skipped?: string;
  note?: string;
}

/** Name of the bench row of the native tier with `engine.precision: bf16`. */
export const BF16_ROW = 'wasm+dnnl bf16';
const SSL_BATCH = 128 * 7; // METHOD.md: 128 windows x (original + 6 transformations)
const MAX_PASS = 128; // samples per forward/backward pass (a single 896-sample pass does not fit the wasm32 heap)

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
};

/** A row without measurements: the engine did not load, or `skipped` says why. */
const emptyRow = (cfg: ChildConfig, skipped?: string): EngineRow => ({
  name: cfg.name,
  batch: cfg.batch,
  trainWindowsPerSecond: null,
  inferWindowsPerSecond: null,
  peakRssMiB: 0,
  ...(skipped === undefined ? {} : { skipped }),
});

/** initBackend with the child's settings; an explicit bf16 where the CPU or the addon lacks it: the reason. */
async function childEngine(cfg: ChildConfig): Promise<BackendReport | { skip: string }> {
  const { initBackend } = await import('../engine/backend.js');
  try {
    const rep = await initBackend({
      preference: cfg.preference,
      threads: cfg.threads,
      dnnl: cfg.dnnl,
      fftConv: cfg.fftConv,
      precision: cfg.precision,
    });
    if (cfg.dnnl && rep.engine !== 'wasm+dnnl')
      return { skip: `oneDNN: ${rep.skipped.find((s) => s.engine === 'oneDNN')?.reason ?? 'not loaded'}` };
    return rep;
  } catch (e) {
    if ((e as Error).name === 'UserError') return { skip: (e as Error).message };
    throw e;
  }
}

async function childMain(cfg: ChildConfig): Promise<EngineRow> {
  const rep = await childEngine(cfg);
  if ('skip' in rep) return emptyRow(cfg, rep.skip);
  if (cfg.precisionPairs) {
    const { precisionPairs } = await import('./_precisionPairs.js');
    const pairs = await precisionPairs(cfg.batch, cfg.precisionPairs, cfg.threads);
    // peak RSS not measured: the process ran both precisions
    return { ...emptyRow(cfg), precisionPairs: pairs, engine: rep.engine, threads: rep.threads };
  }
  const { paperBench } = await import('../training/paperBench.js');
  const B = cfg.batch;
  const bench = paperBench({ batch: B });
  const timeIt = (fn: () => void, warm: number, n: number, label: string): number[] => {
    for (let i = 0; i < warm; i++) fn();
    const t: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      fn();
      t.push(performance.now() - t0);
      process.stderr.write(
        `  [${cfg.name} b${B}] ${label} step ${i}: ${(t.at(-1) as number).toFixed(0)} ms\n`,
      );
    }
    return t;
  };
  const train =
    cfg.trainSteps > 0
      ? timeIt(
          // Above 128 samples: accumulate gradients over chunks of 128 (one pass of 896 exceeds the 4 GiB wasm heap).
          () => void bench.train(MAX_PASS),
          1,
          cfg.trainSteps,
          'train',
        )
      : [];
  const infer = cfg.inferSteps > 0 ? timeIt(() => bench.infer(MAX_PASS), 1, cfg.inferSteps, 'infer') : [];
  return {
    name: cfg.name,
    batch: B,
    trainWindowsPerSecond: train.length ? (B * 1000) / median(train) : null,
    inferWindowsPerSecond: infer.length ? (B * 1000) / median(infer) : null,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    ...(train.length ? { trainMsMedian: Math.round(median(train)) } : {}),
    ...(B > MAX_PASS
      ? { note: `gradients accumulated over ${Math.ceil(B / MAX_PASS)} passes of ${MAX_PASS}` }
      : {}),
    engine: rep.engine,
    ...(rep.precision === 'bf16' ? { precision: rep.precision } : {}),
    threads: rep.threads,
    network: bench.network,
  };
}

/** One (engine, batch) measurement in its own child process (peak RSS is its own); a failed child: a skipped row. */
export function runChild(cfg: ChildConfig): EngineRow {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [self, '--engine-child', JSON.stringify(cfg)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    timeout: 20 * 60_000,
  });
  const last = r.stdout?.trim().split('\n').at(-1);
  if (r.status !== 0 || !last)
    return emptyRow(cfg, `child failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})`);
  return JSON.parse(last) as EngineRow;
}

const TORCH_SCRIPT = String.raw`
import json, sys, time, torch, torch.nn as nn, torch.nn.functional as F
cfg = json.loads(sys.argv[1]); torch.set_num_threads(cfg['threads']); torch.manual_seed(0)
class Same(nn.Module):
    def __init__(s, cin, cout, k): super().__init__(); s.c = nn.Conv1d(cin, cout, k); s.k = k
    def forward(s, x): return s.c(F.pad(x, ((s.k - 1) // 2, s.k // 2)))
class Net(nn.Module):
    def __init__(s):
        super().__init__()
        s.trunk = nn.Sequential(Same(1,32,32), nn.LeakyReLU(0.2), Same(32,32,32), nn.LeakyReLU(0.2), nn.MaxPool1d(8,2),
            Same(32,64,16), nn.LeakyReLU(0.2), Same(64,64,16), nn.LeakyReLU(0.2), nn.MaxPool1d(8,2),
            Same(64,128,8), nn.LeakyReLU(0.2), Same(128,128,8), nn.LeakyReLU(0.2))
        s.heads = nn.ModuleList([nn.Sequential(nn.Linear(128,128), nn.LeakyReLU(0.2), nn.Dropout(0.6), nn.Linear(128,128),
            nn.LeakyReLU(0.2), nn.Dropout(0.6), nn.Linear(128,1)) for _ in range(7)])
    def forward(s, x):
        f = s.trunk(x).amax(dim=2)
        return [h(f) for h in s.heads]
m = Net(); opt = torch.optim.Adam(m.parameters(), 1e-3)
out = []
for B in cfg['batches']:
    W = cfg['windowSamples']
    x = torch.sin(torch.arange(B * W, dtype=torch.float32) * 0.013).reshape(B, 1, W)
    y = [(torch.arange(B) + h).remainder(2).float().reshape(B, 1) for h in range(7)]
    def step():
        opt.zero_grad(); preds = m(x)
        loss = sum(w * F.binary_cross_entropy_with_logits(p, t) for p, t, w in zip(preds, y, cfg['taskWeights']))
        loss = loss + cfg['l2'] / 2 * sum((p ** 2).sum() for n, p in m.named_parameters() if 'weight' in n)
        loss.backward(); opt.step()
    def infer():
        with torch.no_grad(): m.eval(); m(x); m.train()
    r = {'batch': B}
    for name, fn, n in (('train', step, cfg['steps']), ('infer', infer, cfg['steps'] * 2)):
        fn(); ts = []
        for _ in range(n):
            t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
        ts.sort(); r[name] = B / ts[len(ts) // 2]
    out.append(r)
import resource
print(json.dumps({'torch': torch.__version__, 'threads': cfg['threads'], 'rows': out, 'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`;

/** The paper's network in PyTorch (REFERENCE_PYTHON) at `threads`: train and infer windows/s per batch. */
export async function runTorch(
  batches: number[],
  threads: number,
  steps: number,
): Promise<Record<string, unknown> | { skipped: string }> {
  const why = torchUnavailableReason();
  if (why !== undefined)
    return { skipped: `${why} (install Debian's python3-torch or set ECGSSL_REFERENCE_PYTHON)` };
  // The config's defaults: window length (preprocessing), task weights and L2 (pretraining), as paperBench uses.
  const { preprocessingSchema, pretrainSchema } = await import('../config/schema.js');
  const { windowSamples } = preprocessingSchema.parse({});
  const { taskWeights, l2 } = pretrainSchema.parse({});
  const spec = JSON.stringify({ batches, threads, steps, windowSamples, taskWeights, l2 });
  const r = spawnSync(REFERENCE_PYTHON, ['-c', TORCH_SCRIPT, spec], {
    encoding: 'utf8',
    timeout: 20 * 60_000,
  });
  if (r.status !== 0) return { skipped: `pytorch run failed: ${r.stderr.trim().split('\n').at(-1)}` };
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
}

const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');

type EngineConfig = Omit<ChildConfig, 'batch' | 'trainSteps' | 'inferSteps'>;

/** The engine configurations to measure: the portable tier (named `portable`) first, then the others. */
function engineConfigs(cores: number, quick: boolean, portable: string): EngineConfig[] {
  const configs: EngineConfig[] = [
    { name: portable, preference: 'wasm', threads: cores, dnnl: false },
    { name: `wasm+dnnl`, preference: 'wasm', threads: cores, dnnl: true },
    { name: BF16_ROW, preference: 'wasm', threads: cores, dnnl: true, precision: 'bf16' },
  ];
  if (!quick)
    configs.splice(1, 0, {
      name: `${portable}, direct convolutions`,
      preference: 'wasm',
      threads: cores,
      dnnl: false,
      fftConv: false,
    });
  if (cores > 1 && !quick)
    configs.push({ name: 'wasm+kernels 1 thread', preference: 'wasm', threads: 1, dnnl: false });
  return configs;
}

/** The pure-JS cpu row: measured (batch 1, one step) only when ECGSSL_BENCH_CPU=1, else a skipped row. */
function cpuRow(): EngineRow {
  if (process.env.ECGSSL_BENCH_CPU === '1') {
    return runChild({
      name: 'cpu (pure JS)',
      preference: 'cpu',
      threads: 1,
      dnnl: false,
      batch: 1,
      trainSteps: 1,
      inferSteps: 1,
    });
  }
  return {
    name: 'cpu (pure JS)',
    batch: 1,
    trainWindowsPerSecond: null,
    inferWindowsPerSecond: null,
    peakRssMiB: 0,
    skipped: 'minutes per training step (set ECGSSL_BENCH_CPU=1 to measure batch 1, one step)',
  };
}

/** ecgssl engine speed / PyTorch speed, per engine tier and batch (> 1: ecgssl is faster). */
function torchRatios(
  torch: Record<string, unknown>,
  engines: EngineRow[],
  portable: string,
): Record<string, number> {
  const ratios: Record<string, number> = {};
  if ('rows' in torch) {
    for (const tr of torch.rows as { batch: number; train: number; infer: number }[]) {
      for (const [tier, pick] of [
        ['wasm', (e: EngineRow) => e.name === portable],
        ['wasm+dnnl', (e: EngineRow) => e.name === 'wasm+dnnl'],
        [BF16_ROW, (e: EngineRow) => e.name === BF16_ROW],
      ] as const) {
        const w = engines.find((e) => pick(e) && e.batch === tr.batch);
        if (w?.trainWindowsPerSecond)
          ratios[`train b${tr.batch} ${tier}/pytorch`] = w.trainWindowsPerSecond / tr.train;
        if (w?.inferWindowsPerSecond)
          ratios[`infer b${tr.batch} ${tier}/pytorch`] = w.inferWindowsPerSecond / tr.infer;
      }
    }
  }
  return ratios;
}

/**
 * The interleaved fp32/bf16 step pairs at batch 32 and 128 (6 pairs each) when the bf16 row was measured (not in
 * quick mode): on a shared machine a fairer bf16/fp32 ratio than that of the separate rows.
 */
function bf16Interleaved(engines: EngineRow[], quick: boolean, cores: number): PrecisionPairs[] {
  if (quick || !engines.some((e) => e.name === BF16_ROW && !e.skipped)) return [];
  const out: PrecisionPairs[] = [];
  for (const batch of [32, 128]) {
    const cfg = { name: 'fp32/bf16 pairs', preference: 'wasm', threads: cores, dnnl: true } as const;
    const row = runChild({ ...cfg, batch, trainSteps: 0, inferSteps: 0, precisionPairs: 6 });
    process.stderr.write(`bench engine: ${JSON.stringify(row)}\n`);
    if (row.precisionPairs) out.push(row.precisionPairs);
  }
  return out;
}

/**
 * bf16 / fp32 speed of the native tier per batch (training and inference), from the rows measured in this run, and
 * (`... interleaved`) from the interleaved step pairs.
 */
function bf16Ratios(engines: EngineRow[], interleaved: PrecisionPairs[]): Record<string, number> {
  const ratios: Record<string, number> = {};
  for (const p of interleaved)
    ratios[`train b${p.batch} wasm+dnnl bf16/fp32 interleaved`] = p.trainRatioMedian;
  for (const bf of engines.filter((e) => e.name === BF16_ROW)) {
    const fp = engines.find((e) => e.name === 'wasm+dnnl' && e.batch === bf.batch);
    for (const what of ['train', 'infer'] as const) {
      const key = `${what}WindowsPerSecond` as const;
      const [a, b] = [bf[key], fp?.[key]];
      if (a && b) ratios[`${what} b${bf.batch} wasm+dnnl bf16/fp32`] = a / b;
    }
  }
  return ratios;
}

/** Bench entry point (see scripts/bench.mjs). */
export async function run({ quick }: { json: boolean; quick: boolean }): Promise<object> {
  const cores = os.cpus().length;
  const batches = quick ? [32] : [16, 32, 64, 128, SSL_BATCH];
  // More steps for the short small-batch ones, whose medians a loaded machine disturbs most.
  const steps = (b: number): { trainSteps: number; inferSteps: number } =>
    quick
      ? { trainSteps: 2, inferSteps: 3 }
      : b >= SSL_BATCH
        ? { trainSteps: 2, inferSteps: 2 }
        : b <= 32
          ? { trainSteps: 8, inferSteps: 10 }
          : { trainSteps: 4, inferSteps: 6 };
  const loadBefore = loadavg();
  const t0 = performance.now();
  const engines: EngineRow[] = [];
  // The portable tier with every core and its default kernels (FFT convolutions): the one compared with PyTorch.
  const portable = `wasm+kernels ${cores} threads`;
  const picked = process.env.ECGSSL_BENCH_ENGINES?.split(',').map((n) => n.trim());
  for (const c of engineConfigs(cores, quick, portable).filter((e) => !picked || picked.includes(e.name))) {
    const bs = c.threads === 1 ? [32] : batches;
    for (const b of bs) {
      const row = runChild({ ...c, batch: b, ...steps(b) });
      engines.push(row);
      process.stderr.write(`bench engine: ${JSON.stringify(row)}\n`);
      if (row.skipped) break; // an engine that does not load is skipped at every batch
    }
  }
  engines.push(cpuRow());
  const interleaved = bf16Interleaved(engines, quick, cores);
  // PyTorch at the batches below the SSL batch (896 in one pass would take minutes and several GiB).
  const torchBatches = batches.filter((b) => b < SSL_BATCH);
  const torch = quick ? { skipped: 'quick mode' } : await runTorch(torchBatches, Math.min(cores, 2), 3);
  return {
    engines,
    pytorch: torch,
    ratios: { ...torchRatios(torch, engines, portable), ...bf16Ratios(engines, interleaved) },
    bf16Interleaved: interleaved,
    machine: {
      cores,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      loadavgBefore: loadBefore,
      loadavgAfter: loadavg(),
    },
    targets: {
      portable: { trainWindowsPerSecond: 25, inferWindowsPerSecond: 120 },
      native: { trainWindowsPerSecond: 60, inferWindowsPerSecond: 400 },
    },
    seconds: Math.round((performance.now() - t0) / 1000),
  };
}

if (process.argv[2] === '--engine-child' && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cfg = JSON.parse(process.argv[3] ?? '{}') as ChildConfig;
  childMain(cfg)
    .then((row) => {
      process.stdout.write(JSON.stringify(row) + '\n');
      process.exit(0);
    })
    .catch((e: unknown) => {
      process.stderr.write(`bench engine child: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    });
}
