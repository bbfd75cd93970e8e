// The report's engine and timings section, from run.json (stages, engine, versions, git state).
import { escapeHtml } from './escapeHtml.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A scalar of run.json as text ('' for objects, arrays, null and undefined). */
function text(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

/** The per-stage table: stage, status, started, seconds, engine, error. */
function stagesTable(stages: Record<string, unknown>): string {
  const rows = Object.entries(stages)
    .filter((e): e is [string, Record<string, unknown>] => isRecord(e[1]))
    .map(([stage, s]) => {
      const seconds = typeof s.seconds === 'number' ? s.seconds.toFixed(1) : '';
      const cells = [stage, text(s.status), text(s.startedAt), seconds, text(s.engine), text(s.error)];
      return `<tr>${cells.map((c, j) => `<td${j === 3 ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`;
    });
  if (rows.length === 0) return '<p class="note">run.json records no stage yet.</p>';
  const head = ['stage', 'status', 'started', 'seconds', 'engine', 'error']
    .map((h) => `<th>${h}</th>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** `key: value` lines of the run's provenance (engine, threads, versions, git, node, platform, times). */
function provenance(run: Record<string, unknown>): [string, string][] {
  const backend = isRecord(run.backend) ? run.backend : {};
  const features = Array.isArray(backend.features) ? backend.features.map(text).join(', ') : '';
  const versions = isRecord(run.versions)
    ? Object.entries(run.versions).map(([k, v]) => `${k} ${text(v)}`)
    : [];
  const git = isRecord(run.git) ? run.git : {};
  const gitLine = text(git.commit) ? `${text(git.commit)}${git.dirty === true ? ' (dirty)' : ''}` : '';
  const pairs: [string, string][] = [
    ['run id', text(run.runId)],
    ['experiment', text(run.experiment)],
    ['config file', text(run.configFile)],
    ['config hash', text(run.configHash)],
    ['seed', text(run.seed)],
    ['engine', [text(backend.engine), features].filter(Boolean).join(', ')],
    ['threads', text(backend.threads)],
    ['created', text(run.createdAt)],
    ['updated', text(run.updatedAt)],
    ['node', text(run.node)],
    ['platform', text(run.platform)],
    ['versions', versions.join(', ')],
    ['git commit', gitLine],
  ];
  return pairs.filter(([, v]) => v !== '');
}

/** The engine / timings section body from run.json's object. */
export function runInfoSection(run: Record<string, unknown>): string {
  const dl = provenance(run)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('');
  const stages = isRecord(run.stages)
    ? stagesTable(run.stages)
    : '<p class="note">run.json records no stage.</p>';
  return `${stages}\n<dl class="provenance">${dl}</dl>`;
}
