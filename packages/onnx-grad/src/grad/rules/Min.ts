import type { GradientRule } from '../rule.js';
import { selectionGradients } from './Max.js';

/** y = min(x₁, …, xₙ), broadcast: dy goes to the minimum, split evenly between tied inputs (see {@link selectionGradients}). */
export const Min: GradientRule = {
  opType: 'Min',
  backward: selectionGradients,
};
