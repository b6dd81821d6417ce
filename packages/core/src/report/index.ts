export { writeReport, REPORT_FILE } from './write-report.js';
export { renderReport, REPORT_CSP } from './page.js';
export type { ReportExtras } from './extras.js';
export { escapeHtml } from './escape.js';
export { raw, table, type Html, type Content, type TableOptions } from './html.js';
export { formatNumber, formatDuration } from './format.js';
export { REPORT_CSS } from './style.js';
export { renderStandalonePage, type StandalonePage } from './standalone-page.js';
export { renderSanitySection, SANITY_ANCHOR } from './sanity-section.js';
