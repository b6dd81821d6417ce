import type { GradientRule } from '../rule.js';
import { Add } from './Add.js';
import { Div } from './Div.js';
import { Identity } from './Identity.js';
import { MatMul } from './MatMul.js';
import { Mul } from './Mul.js';
import { Relu } from './Relu.js';
import { Reshape } from './Reshape.js';
import { Sub } from './Sub.js';

/** Every gradient rule Envision ships, registered explicitly (one file per ONNX op). */
export const defaultRules: readonly GradientRule[] = [Add, Div, Identity, MatMul, Mul, Relu, Reshape, Sub];
