import type { GradientRule } from '../rule.js';
import { Abs } from './Abs.js';
import { Add } from './Add.js';
import { AveragePool } from './AveragePool.js';
import { BatchNormalization } from './BatchNormalization.js';
import { Cast } from './Cast.js';
import { Clip } from './Clip.js';
import { Concat } from './Concat.js';
import { Conv } from './Conv.js';
import { ConvTranspose } from './ConvTranspose.js';
import { DepthToSpace } from './DepthToSpace.js';
import { Div } from './Div.js';
import { Dropout } from './Dropout.js';
import { Einsum } from './Einsum.js';
import { Erf } from './Erf.js';
import { Exp } from './Exp.js';
import { Expand } from './Expand.js';
import { Flatten } from './Flatten.js';
import { Gather } from './Gather.js';
import { GatherElements } from './GatherElements.js';
import { Gemm } from './Gemm.js';
import { GlobalAveragePool } from './GlobalAveragePool.js';
import { GlobalMaxPool } from './GlobalMaxPool.js';
import { Identity } from './Identity.js';
import { LayerNormalization } from './LayerNormalization.js';
import { LeakyRelu } from './LeakyRelu.js';
import { Log } from './Log.js';
import { LogSoftmax } from './LogSoftmax.js';
import { MatMul } from './MatMul.js';
import { Max } from './Max.js';
import { MaxPool } from './MaxPool.js';
import { Mean } from './Mean.js';
import { Min } from './Min.js';
import { Mul } from './Mul.js';
import { Neg } from './Neg.js';
import { Pad } from './Pad.js';
import { Pow } from './Pow.js';
import { Reciprocal } from './Reciprocal.js';
import { ReduceL2 } from './ReduceL2.js';
import { ReduceMax } from './ReduceMax.js';
import { ReduceMean } from './ReduceMean.js';
import { ReduceMin } from './ReduceMin.js';
import { ReduceSum } from './ReduceSum.js';
import { Relu } from './Relu.js';
import { Reshape } from './Reshape.js';
import { Resize } from './Resize.js';
import { Sigmoid } from './Sigmoid.js';
import { Slice } from './Slice.js';
import { Softmax } from './Softmax.js';
import { SpaceToDepth } from './SpaceToDepth.js';
import { Split } from './Split.js';
import { Sqrt } from './Sqrt.js';
import { Squeeze } from './Squeeze.js';
import { Sub } from './Sub.js';
import { Sum } from './Sum.js';
import { Tanh } from './Tanh.js';
import { Tile } from './Tile.js';
import { Transpose } from './Transpose.js';
import { Unsqueeze } from './Unsqueeze.js';
import { Where } from './Where.js';

/** Every gradient rule Envision ships, registered explicitly (one file per ONNX op). */
export const defaultRules: readonly GradientRule[] = [
  Abs,
  Add,
  AveragePool,
  BatchNormalization,
  Cast,
  Clip,
  Concat,
  Conv,
  ConvTranspose,
  DepthToSpace,
  Div,
  Dropout,
  Einsum,
  Erf,
  Exp,
  Expand,
  Flatten,
  Gather,
  GatherElements,
  Gemm,
  GlobalAveragePool,
  GlobalMaxPool,
  Identity,
  LayerNormalization,
  LeakyRelu,
  Log,
  LogSoftmax,
  MatMul,
  Max,
  MaxPool,
  Mean,
  Min,
  Mul,
  Neg,
  Pad,
  Pow,
  Reciprocal,
  ReduceL2,
  ReduceMax,
  ReduceMean,
  ReduceMin,
  ReduceSum,
  Relu,
  Reshape,
  Resize,
  Sigmoid,
  Slice,
  Softmax,
  SpaceToDepth,
  Split,
  Sqrt,
  Squeeze,
  Sub,
  Sum,
  Tanh,
  Tile,
  Transpose,
  Unsqueeze,
  Where,
];
