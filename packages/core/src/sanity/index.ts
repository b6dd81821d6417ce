export * from './similarity.js';
export * from './randomize.js';
export * from './result.js';
export * from './run-sanity.js';
