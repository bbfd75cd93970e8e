/**
 * A sweep point's settings as text: `key=<value as JSON>` per swept key, in order, joined by `sep`
 * (e.g. `seed=2 finetune.mode="full"`); '' without assignments.
 */
export function formatAssignments(assignments: Record<string, unknown>, sep: string): string {
  return Object.entries(assignments)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(sep);
}
