// Test support (not built, not shipped): a minimal dual-encoder adapter over a MedCLIP-layout bundle (the repository's
// fixtures/tiny-dual) — core cannot depend on the adapter packages — and deliberately broken variants of it.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { DifferentiableOnnxModel, type Model, OnnxModel, type Tensor, tensor } from '@envision/onnx-grad';
import type { AdapterPlugin, TokenBatch, VlmAdapter } from '../adapter.js';
import { padTokenRows } from '../adapter.js';

/** The repository's fixtures/tiny-dual bundle. */
export const tinyDual = fileURLToPath(new URL('../../../../fixtures/tiny-dual', import.meta.url));

/** What a variant gets wrong. */
export type Breakage = 'embeddingDim' | 'padsBatches' | 'forwardOnly' | 'nanPixels' | 'throwsOnLoad' | 'disposeThrows';

interface Manifest {
  vision: { file: string; input: string; output: string };
  text: { file: string; inputs: { ids: string; mask: string }; output: string };
  tokenizer: { vocab: string };
  image: { size: number; mean: number; std: number };
  logitScale: number;
  embeddingDim: number;
}

/** The adapter: sharp greyscale + resize, whole-word lookup with [CLS]/[SEP]/[PAD]/[UNK], the two ONNX encoders. */
async function load(dir: string, breakage: Breakage | undefined): Promise<VlmAdapter> {
  if (breakage === 'throwsOnLoad') throw new Error(`no bundle at ${dir}`);
  const m = JSON.parse(await readFile(resolve(dir, 'envision.json'), 'utf8')) as Manifest;
  const vocab = new Map((await readFile(resolve(dir, m.tokenizer.vocab), 'utf8')).split('\n').map((w, i) => [w, i] as const));
  const vision = await DifferentiableOnnxModel.load(resolve(dir, m.vision.file), { cacheDir: null });
  const text = await OnnxModel.load(resolve(dir, m.text.file));
  const id = (w: string) => vocab.get(w) ?? vocab.get('[UNK]')!;
  const tokenize = (texts: readonly string[]): TokenBatch => {
    const rows = texts.map((t) => [id('[CLS]'), ...t.split(/\s+/).filter(Boolean).map(id), id('[SEP]')]);
    const longest = Math.max(...rows.map((r) => r.length));
    // The broken variant pads every batch of several texts one token further: mean pooling then sees one more [PAD].
    return padTokenRows(rows, id('[PAD]'), breakage === 'padsBatches' && texts.length > 1 ? longest + 1 : longest);
  };
  const { size, mean, std } = m.image;
  const model: Model = breakage === 'forwardOnly' ? { inputs: vision.inputs, outputs: vision.outputs, run: (f, n) => vision.run(f, n) } : vision;
  return {
    id: 'tiny-dual',
    embeddingDim: breakage === 'embeddingDim' ? m.embeddingDim + 1 : m.embeddingDim,
    logitScale: m.logitScale,
    vision: { model, input: m.vision.input, output: m.vision.output },
    promptSets: {},
    async preprocessImage(file: string): Promise<Tensor<'float32'>> {
      const grey = await sharp(file).greyscale().resize(size, size, { fit: 'fill' }).raw().toBuffer();
      const plane = Float32Array.from(grey, (v) => (breakage === 'nanPixels' ? Number.NaN : (v / 255 - mean) / std));
      const out = new Float32Array(3 * plane.length);
      for (let c = 0; c < 3; c++) out.set(plane, c * plane.length);
      return tensor('float32', [1, 3, size, size], out);
    },
    tokenize,
    async encodeImage(pixels) {
      return (await vision.run({ [m.vision.input]: pixels }, [m.vision.output]))[m.vision.output] as Tensor<'float32'>;
    },
    async encodeText(texts) {
      const batch = tokenize(texts);
      return (await text.run({ [m.text.inputs.ids]: batch.ids, [m.text.inputs.mask]: batch.mask }, [m.text.output]))[m.text.output] as Tensor<'float32'>;
    },
    async dispose() {
      await Promise.all([vision.dispose(), text.dispose()]);
      if (breakage === 'disposeThrows') throw new Error('already disposed');
    },
  };
}

/** Options of the test adapter: the bundle folder, relative to the base folder. */
export interface DualOptions {
  readonly bundle: string;
}

/** The test adapter plugin, correct or with one breakage. */
export function dualPlugin(breakage?: Breakage): AdapterPlugin<DualOptions> {
  return {
    meta: { id: breakage ? `tiny-dual-${breakage}` : 'tiny-dual', optionsSchema: { type: 'object', properties: { bundle: { type: 'string' } }, required: ['bundle'] }, description: 'test adapter' },
    load: (options, context) => load(resolve(context.baseDir, options.bundle), breakage),
  };
}
