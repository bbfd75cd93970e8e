// Public API of the run report: report.html (one self-contained page) from a run directory's files.
export { writeRunReport, REPORT_HTML } from './writeRunReport.js';
export { writeRunReportOrWarn } from './writeRunReportOrWarn.js';
export { renderReport } from './renderReport.js';
export { readRunFiles } from './readRunFiles.js';
export type { RunFiles, ReportFigure, ReportRow, ReportSummary } from './readRunFiles.js';
export { sanitizeSvg } from './sanitizeSvg.js';
export type { SanitizedSvg } from './sanitizeSvg.js';
export { formatPValue } from './formatPValue.js';
export { escapeHtml } from './escapeHtml.js';
