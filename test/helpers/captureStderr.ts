// captureStderr: runs an async function with process.stderr.write captured (log.warn and friends write there).

/** Runs `f` with process.stderr.write captured; returns its result and the text written. */
export async function captureStderr<T>(f: () => Promise<T>): Promise<{ value: T; stderr: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  try {
    return { value: await f(), stderr: text };
  } finally {
    process.stderr.write = write;
  }
}
