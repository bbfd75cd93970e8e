/** The WFDB reader (`data.kind: wfdb`): PhysioNet records under `data.root`, one lead each, unlabelled. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { UserError } from '../../../errors.js';
import { readWfdbSignal } from '../../formats/wfdb.js';
import type { RawRecording, ReaderContext, ReaderModule } from '../../types.js';
import type { WfdbSource } from './options.js';

function listHeaders(root: string, dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) listHeaders(root, p, out);
    else if (name.endsWith('.hea')) out.push(relative(root, p).slice(0, -4));
  }
}

/**
 * WFDB reader (`data.kind: wfdb`): PhysioNet records under `root` (`data.records`, default every `.hea` file,
 * searched recursively), one lead each (`data.lead`: index or name, default 0). Unlabelled (labels `{}`). A record
 * in a subfolder belongs to the subject named by its folder (PTB: `patient001/s0010_re`), else the subject is the
 * record name.
 */
export async function* readWfdb(source: WfdbSource, _ctx: ReaderContext): AsyncGenerator<RawRecording> {
  if (!existsSync(source.root)) throw new UserError(`readWfdb: data.root ${source.root} does not exist`);
  let records: string[];
  if (source.records) records = [...source.records];
  else {
    records = [];
    listHeaders(source.root, source.root, records);
  }
  if (records.length === 0) throw new UserError(`readWfdb: no .hea files under ${source.root}`);
  const withSubject = records.map((r) => {
    const parts = r.split(/[\\/]/);
    return { record: r, subject: parts.length > 1 ? parts.slice(0, -1).join('/') : r };
  });
  withSubject.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
  for (const { record, subject } of withSubject) {
    if (source.subjects && !source.subjects.includes(subject)) continue;
    const headerPath = join(source.root, record.split('/').join(sep) + '.hea');
    const r = readWfdbSignal(headerPath, source.lead);
    yield {
      subject,
      recording: record,
      samples: r.samples,
      samplingRateHz: r.samplingRateHz,
      labels: {},
      source: headerPath,
    };
  }
}

/** The registry's handle on this reader. */
export const wfdbReader: ReaderModule<WfdbSource> = { read: readWfdb };
