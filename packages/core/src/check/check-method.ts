import { EnvisionError, type Model, type NamedTensors, type Tensor, describeCause, formatShape, isDifferentiable, tensor } from '@envision/onnx-grad';
import type { AttributionMethod, AttributionRequest, AttributionResult } from '../method.js';
import { resolveOptions } from '../options.js';
import { float32Problem, formatError, relativeDeviation, shortNumber, within } from './compare.js';
import { type FiniteDifferenceOptions, directionalDerivative } from './directional-derivative.js';
import { checkMethodResult, isLinearInTarget } from '../method-maps.js';
import { CheckLog, type CheckResult } from './result.js';
import { seededTensor, tinyCheckModel } from './tiny-model.js';

/** Options of {@link checkMethod}: where to run the method, and how strictly to compare. */
export interface CheckMethodOptions<O> {
  /**
   * The model to attribute; give `inputs` with it.
   * @default a tiny seeded ONNX model with gradients: x `[1, 3, 8, 8]` → conv → tanh → mean → matmul → y `[1, 4]`
   */
  readonly model?: Model;
  /** A tensor for every model input, `inputs[wrt]` with batch 1. @default the default model's seeded x */
  readonly inputs?: NamedTensors;
  /** The input attributed. @default the model's first input */
  readonly wrt?: string;
  /** The output explained. @default the model's first output */
  readonly of?: string;
  /** The method's options, merged over its `defaultOptions`. A `seed` is set to 1 when the schema has one and neither gives it. */
  readonly options?: Partial<O>;
  /** The target rows t1, float32 `[K, …O]`. @default two seeded random rows */
  readonly targetRows?: Tensor<'float32'>;
  /**
   * Largest accepted error, relative to the largest entry of the expected maps, for the linearity and reference
   * checks. Float32 gradients and forward passes agree with themselves to ~1e-6 of the largest entry, so the default
   * leaves room for sums over many steps or samples; a method that is not linear is off by O(1).
   * @default 1e-4
   */
  readonly tolerance?: number;
  /** Step, tolerance and seed of the finite-difference check of the model's vjp (gradient methods). */
  readonly finiteDifference?: FiniteDifferenceOptions;
  /** The maps the method should give for a request (another implementation, or numbers from the paper's code). */
  readonly reference?: (request: AttributionRequest<O>) => Promise<Tensor<'float32'>> | Tensor<'float32'>;
}

/** The weights of the linearity check: A(a·t1 + b·t2) against a·A(t1) + b·A(t2); b < 0 catches magnitudes. */
const A = 0.7;
const B = -1.3;
const LINEAR = 'A(0.7·t1 − 1.3·t2) against 0.7·A(t1) − 1.3·A(t2)';

/**
 * Checks an attribution method, in the manner of a conformance suite; `await checkMethod(method)` is a complete test.
 * Every check runs and is returned; the kit throws when any failed:
 * - `options`: the defaults and the given options are valid against `meta.optionsSchema`;
 * - `maps`: the maps are float32 `[K, …S]` (S: `inputs[wrt]` without its batch) and finite;
 * - `deterministic`: a second call with the same request (and the same `seed`, if the method has one) gives
 *   identical maps;
 * - `linear`: when `meta.linear` (or the deprecated `meta.linearInTarget`) says linear for these options,
 *   A(0.7·t1 − 1.3·t2) = 0.7·A(t1) − 1.3·A(t2) within `tolerance`;
 * - `vjp`: for `kind: 'gradient'`, the model has a `vjp` and its directional derivative matches central finite
 *   differences of the forward model (see {@link CheckMethodOptions.finiteDifference});
 * - `reference`: when `reference` is given, the maps match it within `tolerance`.
 *
 * @param method - the method to check
 * @param options - model, inputs, options and tolerances
 * @returns the results, all passed
 * @throws EnvisionError `E_CHECK` listing each failed check as `name: detail` (cause: the first error the method
 *   threw); `E_CHECK` when `model` is given without `inputs`, or `inputs[wrt]` is not a float32 tensor
 */
export async function checkMethod<O>(method: AttributionMethod<O>, options: CheckMethodOptions<O> = {}): Promise<CheckResult[]> {
  const subject = `checkMethod(${method.meta.id})`;
  if (options.model !== undefined && options.inputs === undefined) throw new EnvisionError('E_CHECK', `${subject}: give inputs with model`);
  const tiny = options.model === undefined ? await tinyCheckModel() : undefined;
  try {
    const model = options.model ?? tiny!.model;
    const inputs = options.inputs ?? tiny!.inputs;
    const wrt = options.wrt ?? model.inputs[0]!.name;
    const of = options.of ?? model.outputs[0]!.name;
    if (inputs[wrt]?.dtype !== 'float32') throw new EnvisionError('E_CHECK', `${subject}: inputs has no float32 tensor '${wrt}' to attribute`);
    return await runChecks(method, { ...options, model, inputs, wrt, of }, subject);
  } finally {
    await tiny?.dispose();
  }
}

type Resolved<O> = CheckMethodOptions<O> & { readonly model: Model; readonly inputs: NamedTensors; readonly wrt: string; readonly of: string };

async function runChecks<O>(method: AttributionMethod<O>, c: Resolved<O>, subject: string): Promise<CheckResult[]> {
  const log = new CheckLog();
  const tolerance = c.tolerance ?? 1e-4;
  const methodOptions = checkOptions(method, c.options ?? {}, log);
  const output = await log.attempt('model', `${c.of} of the model`, async () => (await c.model.run(c.inputs, [c.of]))[c.of]!);
  if (output === undefined) return log.finish(subject);
  const t1 = c.targetRows ?? seededTensor([2, ...output.shape.slice(1)], 201);
  const t2 = seededTensor(t1.shape, 202);
  const request = (target: Tensor<'float32'>): AttributionRequest<O> => ({ model: c.model, inputs: c.inputs, wrt: c.wrt, of: c.of, target, options: methodOptions });
  const attribute = (name: string, target: Tensor<'float32'>): Promise<AttributionResult | undefined> =>
    log.attempt(name, 'attribute', () => method.attribute(request(target)));

  const first = await attribute('maps', t1);
  if (first !== undefined) {
    // The pipeline's own check (shape as the method declares it), then finiteness.
    try {
      const maps = checkMethodResult(method, methodOptions, first, t1.shape[0]!, c.inputs[c.wrt]!.shape);
      const problem = float32Problem(maps, maps.shape, 'maps');
      log.add('maps', problem === undefined, problem ?? `float32 ${formatShape(maps.shape)}, finite`);
    } catch (e) {
      log.add('maps', false, describeCause(e));
    }
  }
  const second = await attribute('deterministic', t1);
  if (first !== undefined && second !== undefined) log.add('deterministic', ...compareRuns(first.maps, second.maps));
  else log.notChecked('deterministic', 'the first call threw (see maps)');

  if (!isLinearInTarget(method, methodOptions)) {
    log.add('linear', true, 'not declared linear for these options: skipped');
  } else if (first !== undefined) {
    const a2 = await attribute('linear', t2);
    const mixed = await attribute('linear', tensor('float32', t1.shape, Float32Array.from(t1.data, (v, i) => A * v + B * t2.data[i]!)));
    if (a2 !== undefined && mixed !== undefined) {
      const expected = Float64Array.from(first.maps.data, (v, i) => A * v + B * a2.maps.data[i]!);
      const error = relativeDeviation(mixed.maps.data, expected);
      log.add('linear', within(error, tolerance), `${LINEAR}: ${formatError(error, tolerance)}`);
    }
  } else {
    log.notChecked('linear', 'attribute threw (see maps)');
  }

  await checkVjp(method, c, t1, log);

  if (c.reference === undefined) {
    log.add('reference', true, 'no reference given: skipped');
  } else if (first !== undefined) {
    const expected = await log.attempt('reference', 'reference', () => c.reference!(request(t1)));
    if (expected !== undefined) {
      const error = relativeDeviation(first.maps.data, expected.data);
      log.add('reference', within(error, tolerance), `maps against the reference: ${formatError(error, tolerance)}`);
    }
  } else {
    log.notChecked('reference', 'attribute threw (see maps)');
  }
  return log.finish(subject);
}

/** Resolves the method's options (the `options` check), fixing a `seed` when the schema has one. */
function checkOptions<O>(method: AttributionMethod<O>, given: Partial<O>, log: CheckLog): O {
  const properties = (method.meta.optionsSchema.properties ?? {}) as Record<string, unknown>;
  const merged = { ...(method.meta.defaultOptions as Record<string, unknown>), ...(given as Record<string, unknown>) };
  const seeded = 'seed' in properties && merged.seed === undefined;
  if (seeded) merged.seed = 1;
  try {
    const resolved = resolveOptions(method.meta, merged, `method ${method.meta.id} options`);
    log.add('options', true, `valid against the schema${seeded ? ' (seed set to 1)' : ''}`);
    return resolved;
  } catch (e) {
    log.threw('options', 'validation', e);
    return merged as O;
  }
}

/** The `deterministic` result of two runs: ok and detail. */
function compareRuns(a: Tensor<'float32'>, b: Tensor<'float32'>): [boolean, string] {
  if (a.data.length !== b.data.length) return [false, `two runs gave ${a.data.length} and ${b.data.length} values`];
  let differing = 0;
  let largest = 0;
  for (let i = 0; i < a.data.length; i++) {
    if (!Object.is(a.data[i], b.data[i])) {
      differing++;
      largest = Math.max(largest, Math.abs(a.data[i]! - b.data[i]!));
    }
  }
  return differing === 0 ? [true, 'two runs gave identical maps'] : [false, `two runs differ in ${differing} of ${a.data.length} values, by up to ${shortNumber(largest)}`];
}

/** The `vjp` check: for gradient methods, the model's vjp against finite differences of its forward pass. */
async function checkVjp<O>(method: AttributionMethod<O>, c: Resolved<O>, cotangent: Tensor<'float32'>, log: CheckLog): Promise<void> {
  if (method.meta.kind !== 'gradient') {
    log.add('vjp', true, 'a perturbation method runs the model forward only: skipped');
    return;
  }
  if (!isDifferentiable(c.model)) {
    log.add('vjp', false, 'a gradient method needs a model with vjp; this one has none');
    return;
  }
  const model = c.model;
  const fd = c.finiteDifference ?? {};
  const tolerance = fd.tolerance ?? 1e-2;
  const d = await log.attempt('vjp', 'vjp', () => directionalDerivative(model, c.inputs, c.of, c.wrt, cotangent, fd));
  if (d !== undefined) log.add('vjp', within(d.relativeError, tolerance), `directional derivative against central differences (h = ${shortNumber(d.step)}): ${formatError(d.relativeError, tolerance)}`);
}
