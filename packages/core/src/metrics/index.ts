/**
 * Metrics that turn attribution maps into numbers: class-map similarity (Spearman), mass outside a body mask,
 * pointing game and energy-based pointing game, RISE deletion and insertion AUCs, and a summary helper.
 * @module
 */
export {
  type PlaneMap,
  type MapInput,
  type AttributionUse,
  type MassUse,
  type Box,
  type Region,
} from './map.js';
export { type ClassMapSimilarityOptions, averageRanks, spearman, classMapSimilarity } from './spearman.js';
export { type MassOutsideOptions, massOutside } from './mass-outside.js';
export { type PointingGameOptions, type PointingResult, pointingGame } from './pointing-game.js';
export { type EnergyInBoxOptions, energyInBox } from './energy-in-box.js';
export { type Scorer, type PlanarImage, type CausalOptions, type CausalResult, trapezoid } from './causal.js';
export { deletionAuc } from './deletion.js';
export { insertionAuc } from './insertion.js';
export { type Summary, summarize } from './summarize.js';
