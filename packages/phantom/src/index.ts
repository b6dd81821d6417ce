/**
 * The chest X-ray study on top of Envision: a seeded generator of chest radiograph phantoms whose findings are known
 * pixel by pixel, and the phantom benchmark that measures the study's baseline and proposed approaches on them
 * (pointing game, energy in the box, mass outside the body, class-map similarity, deletion and insertion AUCs,
 * paired differences with bootstrap intervals, a text table, a JSON contract, figures and an HTML report).
 * @packageDocumentation
 */
export * from './phantom/index.js';
export * from './bench/index.js';
