export * from './run.js';
export * from './labels.js';
export * from './display.js';
export * from './targets.js';
export * from './jacobian-store.js';
export * from './stale-files.js';
export * from './text-tokens.js';
export * from './load-adapter.js';
