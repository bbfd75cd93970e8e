import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { addCommonOptions } from '../common.js';

// Placeholder written by the foundation engineer; the pipeline engineer who owns `ecgssl evaluate` replaces this file.
/** Registers `ecgssl evaluate`. */
export function register(program: Command): void {
  addCommonOptions(program.command('evaluate').description('evaluate stage (not implemented yet)')).action(
    () => {
      throw new UserError('not implemented yet: evaluate');
    },
  );
}
