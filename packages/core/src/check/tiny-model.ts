import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Attr,
  DataType,
  DifferentiableOnnxModel,
  type NamedTensors,
  SeededRandom,
  type Tensor,
  encodeModel,
  makeGraph,
  makeModel,
  makeNode,
  makeTensorValueInfo,
  sizeOf,
  tensor,
  tensorToProto,
} from '@envision/onnx-grad';

/** A model to check methods on, with its input and the names a request needs. */
export interface CheckModel {
  readonly model: DifferentiableOnnxModel;
  readonly inputs: NamedTensors;
  readonly wrt: string;
  readonly of: string;
  /** Releases the model and removes its temporary folder. */
  dispose(): Promise<void>;
}

/** A float32 tensor of seeded uniform values in [lo, hi). */
export function seededTensor(shape: readonly number[], seed: number, lo = -1, hi = 1): Tensor<'float32'> {
  const random = new SeededRandom(seed);
  return tensor('float32', shape, Float32Array.from({ length: sizeOf(shape) }, () => lo + (hi - lo) * random.uniform()));
}

/** The seeded weights of {@link tinyCheckModel}: conv W1 `[4, 3, 3, 3]`, its bias b1 `[4]`, and the head W2 `[4, 4]`. */
export function tinyCheckWeights(): { W1: Tensor<'float32'>; b1: Tensor<'float32'>; W2: Tensor<'float32'> } {
  return { W1: seededTensor([4, 3, 3, 3], 101, -0.6, 0.6), b1: seededTensor([4], 102, -0.2, 0.2), W2: seededTensor([4, 4], 103) };
}

/**
 * The default model of `checkMethod`: x `[B, 3, 8, 8]` → Conv 3→4 (3×3, padded) → Tanh → mean over H, W → MatMul
 * 4×4 → y `[B, 4]`, with seeded weights (the conv's large enough that tanh bends), built in memory with the ONNX
 * codec and loaded through a file in a temporary folder (kept until `dispose`, since a model may read its file again)
 * with gradients and no disk cache. Its input x is seeded uniform in [−1, 1].
 */
export async function tinyCheckModel(): Promise<CheckModel> {
  const graph = makeGraph(
    [
      makeNode('Conv', ['x', 'W1', 'b1'], ['h'], { kernel_shape: [3n, 3n], pads: [1n, 1n, 1n, 1n] }, 'conv'),
      makeNode('Tanh', ['h'], ['a'], {}, 'tanh'),
      makeNode('ReduceMean', ['a'], ['m'], { axes: [2n, 3n], keepdims: Attr.int(0) }, 'mean'),
      makeNode('MatMul', ['m', 'W2'], ['y'], {}, 'head'),
    ],
    'envision-check',
    [makeTensorValueInfo('x', DataType.FLOAT, ['batch', 3, 8, 8])],
    [makeTensorValueInfo('y', DataType.FLOAT, ['batch', 4])],
    Object.entries(tinyCheckWeights()).map(([name, t]) => tensorToProto(name, t)),
  );
  const dir = await mkdtemp(join(tmpdir(), 'envision-check-'));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  try {
    const file = join(dir, 'tiny.onnx');
    await writeFile(file, encodeModel(makeModel(graph, { '': 17 })));
    const model = await DifferentiableOnnxModel.load(file, { cacheDir: null });
    const dispose = async () => {
      await model.dispose();
      await removeDir();
    };
    return { model, inputs: { x: seededTensor([1, 3, 8, 8], 104) }, wrt: 'x', of: 'y', dispose };
  } catch (e) {
    await removeDir();
    throw e;
  }
}
