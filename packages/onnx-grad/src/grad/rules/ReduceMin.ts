import type { GradientRule } from '../rule.js';
import { extremumBackward } from './ReduceMax.js';

/** y = min_axes x: dx = [x = y] · dy / #ties (ties share the cotangent evenly, as PyTorch's `amin`). */
export const ReduceMin: GradientRule = { opType: 'ReduceMin', backward: extremumBackward };
