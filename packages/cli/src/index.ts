/**
 * The `envision` command-line tool.
 * @packageDocumentation
 */
export { main, mainHelp } from './main.js';
export { BUILTIN_PLUGINS, registryWith } from './builtin-plugins.js';
export type { CommandIO } from './io.js';
