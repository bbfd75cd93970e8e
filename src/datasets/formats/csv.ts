/** Recordings as .csv files: one lead read from a column (by index or header name). */
import { readFileSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { excerpt } from '../../util/excerpt.js';

/**
 * Reads one lead of a signal `.csv` file: one column per lead, one row per sample, an optional header row (a
 * first row that is not all numbers). Delimiter: comma, semicolon or tab (detected from the first line). Lead:
 * 0-based column index or header name (case-insensitive). An empty or non-numeric cell is an error naming the
 * row and column.
 */
export function readCsvSignal(
  path: string,
  lead: number | string | undefined,
): { samples: Float64Array; column: string } {
  const text = readFileSync(path, 'latin1');
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && (lines[lines.length - 1] as string).trim() === '') lines.pop();
  if (lines.length === 0) throw new UserError(`readCsv: ${path} is empty`);
  const first = lines[0] as string;
  const delim = first.includes('\t') ? '\t' : first.includes(';') ? ';' : ',';
  const firstCells = first.split(delim).map((c) => c.trim());
  const hasHeader = firstCells.some((c) => c === '' || !Number.isFinite(Number(c)));
  const header = hasHeader
    ? firstCells.map((c) => c.replace(/^"(.*)"$/, '$1'))
    : firstCells.map((_, i) => `${i}`);
  let col: number;
  if (lead === undefined) col = 0;
  else if (typeof lead === 'number') col = lead;
  else {
    col = header.findIndex((h) => h.toLowerCase() === lead.toLowerCase());
    if (col < 0)
      throw new UserError(`readCsv: ${path} has no column named "${lead}" (columns: ${excerpt(header.join(', '), 200)})`);
  }
  if (col >= header.length)
    throw new UserError(`readCsv: ${path} has ${header.length} column(s); lead ${col} does not exist`);
  const start = hasHeader ? 1 : 0;
  const out = new Float64Array(lines.length - start);
  for (let r = start; r < lines.length; r++) {
    const line = lines[r] as string;
    let c = 0;
    let pos = 0;
    while (c < col) {
      const next = line.indexOf(delim, pos);
      if (next < 0) break;
      pos = next + 1;
      c++;
    }
    const end = line.indexOf(delim, pos);
    const cell = (c === col ? line.slice(pos, end < 0 ? undefined : end) : '').trim();
    const v = cell === '' ? NaN : Number(cell);
    if (!Number.isFinite(v))
      throw new UserError(`readCsv: ${path} line ${r + 1} column ${col}: "${excerpt(cell)}" is not a finite number (sample ${r - start})`);
    out[r - start] = v;
  }
  return { samples: out, column: header[col] as string };
}
