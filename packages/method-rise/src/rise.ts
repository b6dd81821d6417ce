import {
  EnvisionError,
  type AttributionMethod,
  type AttributionRequest,
  type AttributionResult,
  type Model,
  type Tensor,
  formatShape,
  repeatBatch,
  scoreOutputs,
  sizeOf,
  tensor,
} from '@envision/core';
import { drawRiseMasks, riseMask } from './masks.js';

/** Options of the RISE method. */
export interface RiseOptions {
  /**
   * Number of random masks N (the authors' PyTorch script uses 6000); the estimate's noise falls as 1/√N.
   * @default 2000
   */
  readonly masks: number;
  /**
   * Cells per side of the low-resolution grid, s (8 in the authors' PyTorch script): each mask is s×s Bernoulli cells
   * upsampled to the image.
   * @default 8
   */
  readonly cells: number;
  /**
   * Probability p that a cell is kept (the authors' `p1`, 0.1 in their PyTorch script; 0.5 keeps half the image).
   * @default 0.5
   */
  readonly probability: number;
  /**
   * Value the dropped pixels are blended toward: the masked input is x·M + baseline·(1 − M). The paper's 0 multiplies
   * the image by the mask (black in normalised units only when the normalisation mean is black).
   * @default 0
   */
  readonly baseline: number;
  /**
   * Seed of the masks; the same seed gives the same maps.
   * @default 0
   */
  readonly seed: number;
  /**
   * Masked inputs evaluated in one batched model call (the authors' `gpu_batch`); results do not depend on it.
   * @default 32
   */
  readonly perturbationsPerEval: number;
}

/** Masked inputs per model call: the option, or 1 when the model's input has a fixed batch of 1. */
function batchLimit(model: Model, wrt: string, wanted: number): number {
  const dim = model.inputs.find((i) => i.name === wrt)?.shape[0];
  return dim === 1 ? 1 : wanted;
}

/**
 * RISE (Petsiuk, Das & Saenko 2018): S_k = Σ_n F_k(x ⊙ M_n) · M_n / (N · p) over N random masks M_n, each an s×s grid
 * of Bernoulli(p) cells upsampled bilinearly to (s+1)·⌈H/s⌉ × (s+1)·⌈W/s⌉ and cropped to H×W at a random shift, as
 * the authors' `generate_masks` does. The mask covers the input's last two axes (height, width) and is shared by the
 * others (channels), so every channel of a pixel gets the same value. One forward pass scores every target row, so
 * all K rows cost N forwards.
 */
async function attribute(request: AttributionRequest<RiseOptions>): Promise<AttributionResult> {
  const { model, inputs, wrt, of, target, head, options, onProgress } = request;
  const x = inputs[wrt];
  if (x === undefined || x.dtype !== 'float32') throw new EnvisionError('E_INPUT', `rise: input '${wrt}' must be a float32 tensor`);
  if (x.shape[0] !== 1) throw new EnvisionError('E_INPUT', `rise: input '${wrt}' must have batch 1, got shape ${formatShape(x.shape)}`);
  if (x.shape.length < 3) {
    throw new EnvisionError('E_INPUT', `rise: input '${wrt}' must be an image, [1, …, H, W] with at least two axes after the batch, got shape ${formatShape(x.shape)}`);
  }
  const size = x.shape.slice(1);
  const height = size[size.length - 2]!;
  const width = size[size.length - 1]!;
  const plane = height * width;
  const n = sizeOf(size);
  const k = target.shape[0]!;
  const { masks, cells, probability, baseline, seed } = options;
  const draws = drawRiseMasks(masks, cells, probability, height, width, seed);

  const explained = async (batch: Tensor<'float32'>): Promise<Float32Array> => {
    const feeds = { ...inputs, [wrt]: batch };
    for (const [name, t] of Object.entries(inputs)) {
      if (name !== wrt && t.shape[0] === 1 && batch.shape[0]! > 1) feeds[name] = repeatBatch(t, batch.shape[0]!);
    }
    const out = (await model.run(feeds, [of]))[of] as Tensor<'float32'>;
    return scoreOutputs(out, target, head);
  };

  const xs = x.data as Float32Array;
  const perEval = batchLimit(model, wrt, options.perturbationsPerEval);
  const sums = new Float64Array(k * plane);
  const slab = Array.from({ length: perEval }, () => new Float32Array(plane));
  let calls = 0;
  for (let first = 0; first < masks; first += perEval) {
    const count = Math.min(perEval, masks - first);
    const batch = new Float32Array(count * n);
    for (let b = 0; b < count; b++) {
      const mask = riseMask(draws, first + b, slab[b]);
      const slot = batch.subarray(b * n, (b + 1) * n);
      for (let i = 0; i < n; i++) {
        const m = mask[i % plane]!;
        slot[i] = baseline === 0 ? xs[i]! * m : xs[i]! * m + baseline * (1 - m);
      }
    }
    const scores = await explained(tensor('float32', [count, ...size], batch));
    calls++;
    for (let b = 0; b < count; b++) {
      const mask = slab[b]!;
      for (let r = 0; r < k; r++) {
        const f = scores[b * k + r]!;
        if (f === 0) continue;
        const row = sums.subarray(r * plane, (r + 1) * plane);
        for (let i = 0; i < plane; i++) row[i]! += f * mask[i]!;
      }
    }
    onProgress?.(first + count, masks);
  }
  const scale = 1 / (masks * probability);
  const maps = new Float32Array(k * n);
  for (let r = 0; r < k; r++) {
    for (let i = 0; i < n; i++) maps[r * n + i] = sums[r * plane + (i % plane)]! * scale;
  }
  return {
    maps: tensor('float32', [k, ...size], maps),
    report: { masks, cells, probability, cellSize: [draws.cellHeight, draws.cellWidth], seed, modelCalls: calls },
  };
}

/**
 * The RISE method plugin, id `rise`: V. Petsiuk, A. Das, K. Saenko, *RISE: Randomized Input Sampling for Explanation
 * of Black-box Models*, BMVC 2018, with the masks of the authors' code (github.com/eclique/RISE).
 */
export const rise: AttributionMethod<RiseOptions> = {
  meta: {
    id: 'rise',
    kind: 'perturbation',
    linear: true,
    description: 'Mean of the explained output over random low-resolution masks that keep a pixel, divided by the keep-probability.',
    paper: 'Petsiuk, Das & Saenko (2018), RISE: Randomized Input Sampling for Explanation of Black-box Models, BMVC.',
    optionsSchema: {
      type: 'object',
      properties: {
        masks: { type: 'integer', minimum: 1, description: 'Number of random masks N.' },
        cells: { type: 'integer', minimum: 1, description: 'Cells per side of the low-resolution grid, s.' },
        probability: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'Probability p that a grid cell is kept.' },
        baseline: { type: 'number', description: 'Value dropped pixels are blended toward: x·M + baseline·(1 − M).' },
        seed: { type: 'integer', description: 'Seed of the masks.' },
        perturbationsPerEval: { type: 'integer', minimum: 1, description: 'Masked inputs per model call.' },
      },
      additionalProperties: false,
    },
    defaultOptions: { masks: 2000, cells: 8, probability: 0.5, baseline: 0, seed: 0, perturbationsPerEval: 32 },
  },
  attribute,
};
