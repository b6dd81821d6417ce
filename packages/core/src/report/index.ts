export { writeReport, REPORT_FILE } from './write-report.js';
export { renderReport, REPORT_CSP } from './page.js';
export type { ReportExtras } from './extras.js';
export { escapeHtml } from './escape.js';
