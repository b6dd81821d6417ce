export * from './run.js';
export * from './labels.js';
export * from './display.js';
