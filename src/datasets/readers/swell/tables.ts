/** SWELL-KW label tables (conditions, per-minute behavioural features) read from .csv or .xlsx. */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import Papa from 'papaparse';
import { UserError } from '../../../errors.js';

/** A table read from a CSV or the first worksheet of an .xlsx: trimmed header names and text cells. */
export interface Table {
  path: string;
  columns: string[];
  rows: Record<string, string>[];
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v.trim();
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const o = v as { result?: unknown; richText?: { text: string }[]; text?: unknown; error?: unknown };
    if ('result' in o) return cellText(o.result);
    if (Array.isArray(o.richText))
      return o.richText
        .map((r) => r.text)
        .join('')
        .trim();
    if ('text' in o) return cellText(o.text);
    if ('error' in o) return '';
  }
  return '';
}

/**
 * Reads a CSV (any of `,` `;` tab, header row) or an .xlsx (first worksheet, first row as header, read with
 * exceljs) into a {@link Table}. Malformed files are one-line UserErrors naming the file.
 */
export async function readTable(path: string): Promise<Table> {
  if (extname(path).toLowerCase() === '.xlsx') {
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.readFile(path);
    } catch (err) {
      const msg = String((err as Error).message ?? err)
        .split('\n')[0]
        ?.slice(0, 120);
      throw new UserError(`readSwell: ${path} is not a readable .xlsx file (${msg})`);
    }
    const ws = wb.worksheets[0];
    if (!ws) throw new UserError(`readSwell: ${path} has no worksheet`);
    const grid: string[][] = [];
    ws.eachRow({ includeEmpty: false }, (row) => {
      const cells: string[] = [];
      row.eachCell({ includeEmpty: true }, (cell, col) => {
        cells[col - 1] = cellText(cell.value);
      });
      grid.push(Array.from(cells, (c) => c ?? ''));
    });
    const [head, ...body] = grid;
    if (!head) throw new UserError(`readSwell: ${path} has an empty first worksheet`);
    const columns = head.map((c) => c.trim());
    return {
      path,
      columns,
      rows: body.map((r) => Object.fromEntries(columns.map((c, i) => [c, (r[i] ?? '').trim()]))),
    };
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`readSwell: cannot read ${path} (${(err as Error).message})`);
  }
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim(),
  });
  const bad = parsed.errors.find((e) => e.type !== 'Delimiter');
  if (bad) throw new UserError(`readSwell: ${path} line ${(bad.row ?? 0) + 2}: ${bad.message}`);
  const columns = parsed.meta.fields ?? [];
  return {
    path,
    columns,
    rows: parsed.data.map((r) => Object.fromEntries(columns.map((c) => [c, String(r[c] ?? '').trim()]))),
  };
}

/** The column of `t` whose name is one of `names` (case-insensitive), or a UserError listing the columns. */
export function column(t: Table, names: readonly string[], what: string): string {
  const c = t.columns.find((x) => names.some((n) => n.toLowerCase() === x.toLowerCase()));
  if (c === undefined)
    throw new UserError(
      `readSwell: ${t.path} has no ${what} column (${names.join(' / ')}); columns: ${t.columns.join(', ').slice(0, 200)}`,
    );
  return c;
}

/** The number in a participant (`pp12`, `PP12`, `12`) or block (`c2`, `2`, `Blok 2`) cell, or NaN. */
export function idNumber(cell: string): number {
  const m = /(\d+)/.exec(cell);
  return m ? Number(m[1]) : NaN;
}
