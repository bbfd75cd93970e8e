import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { addCommonOptions } from '../common.js';

// Placeholder written by the foundation engineer; the pipeline engineer who owns `ecgssl finetune` replaces this file.
/** Registers `ecgssl finetune`. */
export function register(program: Command): void {
  addCommonOptions(program.command('finetune').description('finetune stage (not implemented yet)')).action(
    () => {
      throw new UserError('not implemented yet: finetune');
    },
  );
}
