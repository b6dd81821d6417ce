/**
 * Experiment files: YAML read with positions, `--set` overrides, validation against the core schema composed with
 * the plugins' option schemas, and the typed {@link Experiment} with defaults applied.
 * @module
 */
export * from './experiment-schema.js';
export * from './experiment.js';
export * from './format.js';
export * from './load.js';
export * from './overrides.js';
export * from './plugin-defaults.js';
export * from './suggest.js';
export * from './validate.js';
export * from './yaml-source.js';
