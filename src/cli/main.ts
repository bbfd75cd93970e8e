// The `ecgssl` program: its commands, the exit codes and the CLI's one error handler.
import { Command, CommanderError } from 'commander';
import { InternalError, UserError } from '../errors.js';
import { InterruptedError } from '../util/stopSignal.js';
import { softwareVersions } from '../results/provenance.js';
import { loadedTfEngine } from './common.js';
import { cliErr, cliOut, setCliStreams, type CliStreams } from './output.js';
import { register as registerPrepare } from './commands/prepare.js';
import { register as registerPretrain } from './commands/pretrain.js';
import { register as registerFinetune } from './commands/finetune.js';
import { register as registerEvaluate } from './commands/evaluate.js';
import { register as registerRun } from './commands/run.js';
import { register as registerDoctor } from './commands/doctor.js';
import { register as registerInspect } from './commands/inspect.js';
import { register as registerPlan } from './commands/plan.js';
import { register as registerTask } from './commands/task.js';
import { register as registerMerge } from './commands/merge.js';
import { register as registerReport } from './commands/report.js';

/** Exit codes: 0 success, 1 user-fixable problem (bad config, bad usage, missing data), 2 internal error. */
export const EXIT_OK = 0;
export const EXIT_USER = 1;
export const EXIT_INTERNAL = 2;

/** Builds the `ecgssl` commander program (errors are thrown, not exited; see {@link main}). */
export function buildProgram(): Command {
  const program = new Command('ecgssl');
  program
    .description(
      'Self-supervised ECG-based emotion recognition (Sarkar & Etemad, ICASSP 2020): prepare data, pretrain the ' +
        'signal transformation recognition network, fine-tune the emotion classifier, evaluate by cross-validation.',
    )
    .version(softwareVersions().ecgssl ?? 'unknown', '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (str) => cliOut(str),
      writeErr: (str) => cliErr(str),
      // Usage errors: one line, `ecgssl: <message>`.
      outputError: (str, write) => write(`ecgssl: ${oneLine(str.replace(/^error:\s*/i, ''))}\n`),
    })
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  ecgssl run --config configs/quickstart.yaml     the whole experiment on the bundled synthetic data\n' +
        '  ecgssl pretrain --config configs/amigos.yaml --set pretrain.epochs=30\n' +
        '  ecgssl inspect config --config configs/swell.yaml\n' +
        '  ecgssl doctor                                   which engine runs, and how fast\n',
    );
  // Subcommands copy the settings above (exitOverride, output) when they are created.
  registerPrepare(program);
  registerPretrain(program);
  registerFinetune(program);
  registerEvaluate(program);
  registerRun(program);
  registerDoctor(program);
  registerInspect(program);
  registerPlan(program);
  registerTask(program);
  registerMerge(program);
  registerReport(program);
  return program;
}

function oneLine(s: string): string {
  return s
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join(' ');
}

/** Where an {@link InternalError} asks to be reported (printed in its one line; a tracker URL once there is one). */
export const REPORT_BUGS_TO = 'the ecgssl maintainers';

/**
 * Runs the CLI on `argv` (process.argv: node, script, args...) and returns the exit code. The one error handler:
 * a {@link UserError} prints `ecgssl: <message>` plus its detail lines and gives 1; a usage error gives 1 with one
 * line; an {@link InternalError} prints `ecgssl: internal error: <message> (please report ...)` and gives 2;
 * anything else prints one line (the stack with `--verbose`) and gives 2. Shuts the engine down at the end if a
 * command loaded it. `streams` redirects the CLI's own stdout/stderr text (tests); logs still go to stderr.
 * `build` makes the program (default {@link buildProgram}; tests add a command to it).
 */
export async function main(
  argv: string[],
  streams?: CliStreams,
  build: () => Command = buildProgram,
): Promise<number> {
  if (streams) setCliStreams(streams);
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  let code = EXIT_OK;
  try {
    const program = build();
    if (argv.length <= 2) {
      program.outputHelp({ error: true });
      code = EXIT_USER;
    } else {
      await program.parseAsync(argv, { from: 'node' });
    }
  } catch (err) {
    code = reportError(err, verbose);
  } finally {
    if (loadedTfEngine()) {
      try {
        const engine = await import('../engine/index.js');
        await engine.shutdownEngine();
      } catch (err) {
        if (verbose) cliErr(`ecgssl: engine shutdown failed: ${(err as Error).message}\n`);
      }
    }
    if (streams) setCliStreams(undefined);
  }
  return code;
}

/** Prints an error the CLI way and returns its exit code. */
export function reportError(err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) {
    // Help and version exit 0; commander has already printed usage errors (one line, see outputError).
    return err.exitCode === 0 ? EXIT_OK : EXIT_USER;
  }
  if (err instanceof InterruptedError) {
    // Stopped on SIGINT/SIGTERM after saving a checkpoint: 128 + the signal number, like a shell.
    cliErr(`ecgssl: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof UserError) {
    cliErr(`ecgssl: ${err.message}\n`);
    for (const line of err.details) cliErr(`  ${line}\n`);
    if (verbose && err.stack) cliErr(err.stack + '\n');
    return EXIT_USER;
  }
  if (err instanceof InternalError) {
    cliErr(
      `ecgssl: internal error: ${oneLine(err.message)} (please report this to ${REPORT_BUGS_TO}; --verbose for the stack)\n`,
    );
    if (verbose && err.stack) cliErr(err.stack + '\n');
    return EXIT_INTERNAL;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  if (verbose) {
    cliErr(`ecgssl: internal error: ${e.stack ?? e.message}\n`);
  } else {
    cliErr(`ecgssl: internal error: ${oneLine(e.message)} (run with --verbose for the stack trace)\n`);
  }
  return EXIT_INTERNAL;
}
