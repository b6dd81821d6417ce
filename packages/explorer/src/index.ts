/**
 * @envision/explorer — a local web page over a finished run (`envision serve RUN_DIR`): type a prompt, see its map for
 * every method with stored per-dimension maps, computed with the pipeline's own functions (one text encoding and one
 * matrix product), beside the maps the run computed.
 *
 * @packageDocumentation
 */
export { startExplorer, EXPLORER_CSP, type Explorer, type ExplorerOptions } from './server.js';
export { ExplorerSession, EXPLORER_LIMITS, RequestError, type ExplorerRun, type LiveTarget, type MapsRequest, type MapsResponse, type PromptMap, type StoreJob } from './session.js';
export { explorerPage, EXPLORER_CSS } from './page.js';
