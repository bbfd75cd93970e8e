// `npm run fuzz` entry point: parses the fuzzer's flags, runs or replays cases and prints the report.
/**
 * `npm run fuzz`: fuzzes every reader with truncated, bit-flipped, overwritten and oversized inputs and prints
 * cases per reader and every failure with the seed and case number that reproduce it; exits 1 on any failure.
 *
 *   node dist/fuzz/cli.js [--cases 20000] [--seed 1] [--reader npy,edf] [--timeout-ms 10000] [--json]
 *   node dist/fuzz/cli.js --reader edf --seed 1 --case 98     # replay one case in-process, with its stack
 */
import { parseArgs } from 'node:util';
import { UserError } from '../errors.js';
import { excerpt } from '../util/excerpt.js';
import { replayCase, runFuzz } from './runFuzz.js';
import { fuzzTargets } from './targets.js';
import type { FuzzTargetReport } from './types.js';

function int(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < 0)
    throw new UserError(`ecgssl-fuzz: --${name} must be a non-negative integer, got "${text}"`);
  return v;
}

function line(r: FuzzTargetReport): string {
  const status = r.failures.length > 0 ? `FAILURES ${r.failures.length}` : 'failures 0';
  return (
    `${r.target.padEnd(8)} ${String(r.cases).padStart(7)} cases  ok ${String(r.ok).padStart(6)}  ` +
    `user-error ${String(r.userErrors).padStart(6)}  ${status}  (${r.seconds.toFixed(1)} s)`
  );
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      cases: { type: 'string' },
      seed: { type: 'string' },
      reader: { type: 'string' },
      case: { type: 'string' },
      'timeout-ms': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      `usage: ecgssl-fuzz [--cases N] [--seed S] [--reader ${fuzzTargets()
        .map((t) => t.name)
        .join(',')}] ` + `[--timeout-ms MS] [--json] | --reader R --seed S --case N\n`,
    );
    return 0;
  }
  const seed = int(values.seed, 'seed', 1);
  const readers = values.reader
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (values.case !== undefined) {
    if (!readers || readers.length !== 1)
      throw new UserError('ecgssl-fuzz: --case needs exactly one --reader');
    const r = await replayCase(readers[0] as string, seed, int(values.case, 'case', 0));
    process.stdout.write(`${JSON.stringify({ ...r, stack: undefined }, null, 2)}\n`);
    if (r.stack) process.stderr.write(`${r.stack}\n`);
    return r.kind === 'failure' ? 1 : 0;
  }
  const cases = int(values.cases, 'cases', 20000);
  const timeoutMs = int(values['timeout-ms'], 'timeout-ms', 10_000);
  process.stderr.write(`ecgssl-fuzz: seed ${seed}, ${cases} cases per reader, ${timeoutMs} ms per case\n`);
  const reports = await runFuzz({
    seed,
    cases,
    caseTimeoutMs: timeoutMs,
    ...(readers ? { targets: readers } : {}),
    onTarget: (r) => {
      if (!values.json) process.stdout.write(`${line(r)}\n`);
    },
  });
  const failures = reports.flatMap((r) => r.failures);
  if (values.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  else {
    for (const f of failures)
      process.stdout.write(
        `FAIL ${f.target} seed=${f.seed} case=${f.caseIndex} ${f.reason}: ${excerpt(f.message, 300)}` +
          `${f.mutations.length ? ` [${f.seedLabel}: ${f.mutations.join(' ')}]` : ''}\n` +
          `     reproduce: node dist/fuzz/cli.js --reader ${f.target} --seed ${f.seed} --case ${f.caseIndex}\n`,
      );
    const total = reports.reduce((a, r) => a + r.cases, 0);
    process.stdout.write(`total: ${total} cases, ${failures.length} failure(s)\n`);
  }
  return failures.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UserError) process.stderr.write(`ecgssl-fuzz: ${err.message}\n`);
    else process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
