import { join, resolve } from 'node:path';
import {
  type AdapterPlugin,
  type DifferentiableModel,
  DifferentiableOnnxModel,
  EnvisionError,
  type Model,
  OnnxModel,
  type Tensor,
  type TokenBatch,
  type VlmAdapter,
  expectEmbeddings,
} from '@envision/core';
import { preprocessImage } from './preprocess.js';
import { VocabTokenizer } from './tokenizer.js';

/** Options of the `__ID__` adapter: the fields of an experiment's `model` besides `adapter`. */
export interface __TYPE__Options {
  /** The model folder (vision.onnx, text.onnx, vocab.txt), relative to the experiment file. */
  readonly dir: string;
  /** Side of the square image the vision encoder takes. @default 224 */
  readonly imageSize?: number;
  /** Normalisation mean of the grey image, on the [0, 1] scale. @default 0.5862785803043838 */
  readonly mean?: number;
  /** Normalisation standard deviation, on the [0, 1] scale. @default 0.27950088968644304 */
  readonly std?: number;
  /** log of the similarity temperature τ (logits = τ · cos). @default 2.6592600345611572 */
  readonly logitScale?: number;
  /** Lowercase texts before the vocabulary lookup. @default false */
  readonly lowercase?: boolean;
  /** Length the token rows are padded to. @default 77 */
  readonly maxLength?: number;
}

/** The defaults: those of the demo model in `example/model`. */
const DEFAULTS = { imageSize: 224, mean: 0.5862785803043838, std: 0.27950088968644304, logitScale: 2.6592600345611572, lowercase: false, maxLength: 77 };

/** Names of the text encoder's inputs. */
const TEXT_INPUTS = { ids: 'input_ids', mask: 'attention_mask' } as const;

/**
 * A minimal dual encoder: `vision.onnx` (pixels `[B, C, H, W]` → embedding `[B, M]`, with gradients), `text.onnx`
 * (`input_ids`, `attention_mask` int64 `[K, L]` → embedding `[K, M]`) and `vocab.txt` (whole-word lookup).
 */
export class __TYPE__ implements VlmAdapter {
  readonly id = '__ID__';
  readonly embeddingDim: number;
  readonly vision: { readonly model: DifferentiableModel; readonly input: string; readonly output: string };

  private constructor(
    private readonly options: Required<Omit<__TYPE__Options, 'dir'>>,
    private readonly files: { readonly vision: string; readonly text: string },
    private readonly visionModel: DifferentiableOnnxModel,
    private readonly textModel: OnnxModel,
    private readonly tokenizer: VocabTokenizer,
    private readonly channels: number,
  ) {
    this.vision = { model: visionModel, input: visionModel.inputs[0]!.name, output: visionModel.outputs[0]!.name };
    this.embeddingDim = embeddingWidth(visionModel, files.vision);
  }

  /**
   * Loads the three files of a model folder.
   * @throws EnvisionError `E_BUNDLE` naming the file for a missing or unreadable model or vocabulary, a text model
   *   without `input_ids` and `attention_mask`, or encoders of different widths
   */
  static async load(dir: string, options: Omit<__TYPE__Options, 'dir'> = {}): Promise<__TYPE__> {
    const resolved = { ...DEFAULTS, ...definedOnly(options) };
    const files = { vision: join(dir, 'vision.onnx'), text: join(dir, 'text.onnx') };
    const tokenizer = await VocabTokenizer.load(join(dir, 'vocab.txt'), resolved);
    const vision = await DifferentiableOnnxModel.load(files.vision);
    const text = await OnnxModel.load(files.text);
    const missing = Object.values(TEXT_INPUTS).filter((name) => !text.inputs.some((i) => i.name === name));
    if (missing.length > 0) throw new EnvisionError('E_BUNDLE', `${files.text}: the text model has no input ${missing.join(', ')} (it has ${text.inputs.map((i) => i.name).join(', ')})`);
    const channels = vision.inputs[0]!.shape[1];
    const adapter = new __TYPE__(resolved, files, vision, text, tokenizer, typeof channels === 'number' ? channels : 3);
    const textWidth = embeddingWidth(text, files.text);
    if (textWidth !== adapter.embeddingDim) {
      throw new EnvisionError('E_BUNDLE', `${files.text}: embeddings of width ${textWidth}, but ${files.vision} gives ${adapter.embeddingDim}`);
    }
    return adapter;
  }

  get logitScale(): number {
    return this.options.logitScale;
  }

  preprocessImage(file: string): Promise<Tensor<'float32'>> {
    return preprocessImage(file, { size: this.options.imageSize, mean: this.options.mean, std: this.options.std, channels: this.channels });
  }

  tokenize(texts: readonly string[]): TokenBatch {
    return this.tokenizer.batch(texts);
  }

  async encodeImage(pixels: Tensor<'float32'>): Promise<Tensor<'float32'>> {
    const out = await this.visionModel.run({ [this.vision.input]: pixels }, [this.vision.output]);
    return expectEmbeddings(out[this.vision.output]!, pixels.shape[0]!, this.embeddingDim, `${this.files.vision}: output ${this.vision.output}`);
  }

  async encodeText(texts: readonly string[]): Promise<Tensor<'float32'>> {
    const { ids, mask } = this.tokenizer.batch(texts);
    const output = this.textModel.outputs[0]!.name;
    const out = await this.textModel.run({ [TEXT_INPUTS.ids]: ids, [TEXT_INPUTS.mask]: mask }, [output]);
    return expectEmbeddings(out[output]!, texts.length, this.embeddingDim, `${this.files.text}: output ${output}`);
  }

  async dispose(): Promise<void> {
    await this.visionModel.dispose();
    await this.textModel.dispose();
  }
}

/** The width M of a model's first output `[B, M]`. */
function embeddingWidth(model: Model, file: string): number {
  const output = model.outputs[0]!;
  const width = output.shape[1];
  if (output.shape.length !== 2 || typeof width !== 'number') {
    throw new EnvisionError('E_BUNDLE', `${file}: output ${output.name} is [${output.shape.join(', ')}], expected an embedding [batch, M]`);
  }
  return width;
}

/** The options that are set (an undefined value does not override a default). */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The `__ID__` adapter plugin: `model: { adapter: __ID__, dir: … }` in an experiment. */
export const __IDENT__: AdapterPlugin<__TYPE__Options> = {
  meta: {
    id: '__ID__',
    description: 'A dual encoder from vision.onnx, text.onnx and vocab.txt (grey images, whole-word tokens)',
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        dir: { type: 'string', description: 'model folder (vision.onnx, text.onnx, vocab.txt), relative to the experiment file' },
        imageSize: { type: 'integer', minimum: 1, description: 'side of the square image the vision encoder takes' },
        mean: { type: 'number', description: 'normalisation mean on the [0, 1] scale' },
        std: { type: 'number', exclusiveMinimum: 0, description: 'normalisation standard deviation on the [0, 1] scale' },
        logitScale: { type: 'number', description: 'log of the similarity temperature' },
        lowercase: { type: 'boolean', description: 'lowercase texts before the vocabulary lookup' },
        maxLength: { type: 'integer', minimum: 2, description: 'length the token rows are padded to' },
      },
      required: ['dir'],
    },
    defaultOptions: DEFAULTS,
  },
  load: ({ dir, ...options }, { baseDir }) => __TYPE__.load(resolve(baseDir, dir), options),
};
