import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { addCommonOptions } from '../common.js';

// Placeholder written by the foundation engineer; the pipeline engineer who owns `ecgssl run` replaces this file.
/** Registers `ecgssl run`. */
export function register(program: Command): void {
  addCommonOptions(program.command('run').description('run stage (not implemented yet)')).action(() => {
    throw new UserError('not implemented yet: run');
  });
}
