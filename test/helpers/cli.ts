import { main } from '../../src/cli/main.js';

/** What one in-process CLI call printed and returned. */
export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with its stdout/stderr text captured. */
export async function cli(...args: string[]): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'ecgssl', ...args], {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}
