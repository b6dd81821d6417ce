import {
  EnvisionError,
  type AttributionMethod,
  type AttributionRequest,
  type AttributionResult,
  type Tensor,
  formatShape,
  repeatBatch,
  scoreOutputs,
  sizeOf,
  tensor,
} from '@envision/core';
import { windowGrid, windowBox, forEachInBox } from './windows.js';

/** Options of the Occlusion method (Captum's `Occlusion.attribute` arguments). */
export interface OcclusionOptions {
  /** Window shape, one size per input dimension after the batch (Captum's `sliding_window_shapes`). */
  readonly window: number[];
  /**
   * Step between windows: one number for every dimension, or one per dimension.
   * @default 1
   */
  readonly strides: number | number[];
  /**
   * Value the window is filled with.
   * @default 0
   */
  readonly baseline: number;
  /**
   * Occluded inputs evaluated in one batched model call (Captum's `perturbations_per_eval`); results do not depend on it.
   * @default 16
   */
  readonly perturbationsPerEval: number;
}

/**
 * Occlusion (Zeiler & Fergus 2014) with Captum's semantics: slide a window filled with `baseline` over the input; the
 * attribution of an element is the mean, over the windows covering it, of F(x) − F(x with that window occluded).
 * One forward pass gives the whole output, so every target row is explained by the same sweep.
 */
async function attribute(request: AttributionRequest<OcclusionOptions>): Promise<AttributionResult> {
  const { model, inputs, wrt, of, target, head, options, onProgress } = request;
  const x = inputs[wrt];
  if (x === undefined || x.dtype !== 'float32') throw new EnvisionError('E_INPUT', `occlusion: input '${wrt}' must be a float32 tensor`);
  if (x.shape[0] !== 1) throw new EnvisionError('E_INPUT', `occlusion: input '${wrt}' must have batch 1, got shape ${formatShape(x.shape)}`);
  const size = x.shape.slice(1);
  const strides = typeof options.strides === 'number' ? size.map(() => options.strides as number) : options.strides;
  const grid = windowGrid(size, options.window, strides);
  if (typeof grid === 'string') throw new EnvisionError('E_CONFIG', `occlusion options: ${grid}`);

  const n = sizeOf(size);
  const k = target.shape[0]!;
  const explained = async (batch: Tensor<'float32'>): Promise<Float32Array> => {
    const feeds = { ...inputs, [wrt]: batch };
    for (const [name, t] of Object.entries(inputs)) {
      if (name !== wrt && t.shape[0] === 1 && batch.shape[0]! > 1) feeds[name] = repeatBatch(t, batch.shape[0]!);
    }
    const out = (await model.run(feeds, [of]))[of] as Tensor<'float32'>;
    return scoreOutputs(out, target, head);
  };

  const reference = await explained(x as Tensor<'float32'>);
  const perEval = batchLimit(model, wrt, options.perturbationsPerEval);
  const sums = new Float64Array(k * n);
  const cover = new Float64Array(n);
  for (let first = 0; first < grid.total; first += perEval) {
    const count = Math.min(perEval, grid.total - first);
    const batch = new Float32Array(count * n);
    const boxes = [];
    for (let b = 0; b < count; b++) {
      const box = windowBox(grid, first + b);
      boxes.push(box);
      const slot = batch.subarray(b * n, (b + 1) * n);
      slot.set(x.data as Float32Array);
      forEachInBox(size, box.start, box.end, (i) => (slot[i] = options.baseline));
    }
    const scores = await explained(tensor('float32', [count, ...size], batch));
    for (let b = 0; b < count; b++) {
      const deltas = Array.from({ length: k }, (_, r) => reference[r]! - scores[b * k + r]!);
      forEachInBox(size, boxes[b]!.start, boxes[b]!.end, (i) => {
        cover[i]!++;
        for (let r = 0; r < k; r++) sums[r * n + i]! += deltas[r]!;
      });
    }
    onProgress?.(first + count, grid.total);
  }
  const maps = new Float32Array(k * n);
  for (let r = 0; r < k; r++) for (let i = 0; i < n; i++) maps[r * n + i] = sums[r * n + i]! / cover[i]!;
  return { maps: tensor('float32', [k, ...size], maps), report: { windows: grid.total, modelCalls: Math.ceil(grid.total / perEval) + 1 } };
}

/** Windows per model call: the option, or 1 when the model's input has a fixed batch of 1. */
function batchLimit(model: AttributionRequest<OcclusionOptions>['model'], wrt: string, wanted: number): number {
  const dim = model.inputs.find((i) => i.name === wrt)?.shape[0];
  return dim === 1 ? 1 : wanted;
}


/** The Occlusion method plugin, id `occlusion`. */
export const occlusion: AttributionMethod<OcclusionOptions> = {
  meta: {
    id: 'occlusion',
    kind: 'perturbation',
    linear: true,
    description: 'Mean change of the explained output when a sliding window over the input is replaced by a baseline.',
    paper: 'Zeiler & Fergus (2014), Visualizing and Understanding Convolutional Networks, ECCV.',
    optionsSchema: {
      type: 'object',
      properties: {
        window: {
          type: 'array',
          items: { type: 'integer', minimum: 1 },
          minItems: 1,
          description: 'Window shape, one size per input dimension after the batch, e.g. [3, 16, 16].',
        },
        strides: {
          oneOf: [
            { type: 'integer', minimum: 1 },
            { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1 },
          ],
          description: 'Step between windows, one number or one per dimension.',
        },
        baseline: { type: 'number', description: 'Value the window is filled with.' },
        perturbationsPerEval: { type: 'integer', minimum: 1, description: 'Occluded inputs per model call.' },
      },
      required: ['window'],
      additionalProperties: false,
    },
    defaultOptions: { strides: 1, baseline: 0, perturbationsPerEval: 16 },
  },
  attribute,
};
