import { formatShape } from '@envision/onnx-grad';
import type { FusionInput, FusionRule } from '../fusion.js';
import { resolveOptions } from '../options.js';
import { float32Problem, formatError, relativeDeviation, within } from './compare.js';
import { checkFusionCotangents, sampleFusionInput } from './fusion-cotangents.js';
import { CheckLog, type CheckResult } from './result.js';

/** Options of {@link checkFusion}. */
export interface CheckFusionOptions<O> {
  /** The rule's options, merged over its `defaultOptions`. */
  readonly options?: Partial<O>;
  /** Number of text rows K. @default 3 */
  readonly k?: number;
  /** Embedding width M. @default 6 */
  readonly m?: number;
  /** Groups of text rows for the grouped checks. @default the first ⌈K/2⌉ rows and the rest */
  readonly groups?: readonly (readonly number[])[];
  /**
   * Largest accepted error of the cotangents against central differences (step 1e-3) of the float32 scores, relative
   * to the largest derivative. Rounding leaves ~1e-4 for scores of order τ ≈ 14; a wrong sign or factor is off by O(1).
   * @default 1e-2
   */
  readonly tolerance?: number;
}

/** How far cotangents may move between two embeddings for a rule declared linear (float32 rounding only). */
const LINEAR_TOLERANCE = 1e-5;

/**
 * Checks a fusion rule on a small deterministic input ({@link sampleFusionInput}), once without groups and once with
 * them; `checkFusion(rule)` is a complete test. Every check runs and is returned; the kit throws when any failed:
 * - `options`: the defaults and the given options are valid against `meta.optionsSchema`;
 * - `scores`, `scores with groups`: R finite scores, R = `rows(K, groups)` (K for a rule without `rows`);
 * - `cotangents`, `cotangents with groups`: float32 `[R, M]`, finite;
 * - `finite differences`, `finite differences with groups`: the cotangents match central differences of the scores
 *   within `tolerance` (see {@link checkFusionCotangents});
 * - `linear`: when `meta.linear`, the cotangents at e and at another embedding agree (to 1e-5, float32 rounding);
 * - `groups`: a rule without `rows()` ignores groups — reported, not failed (one row per text is then expected).
 *
 * @param rule - the rule to check
 * @param options - the rule's options, sizes and tolerance
 * @returns the results, all passed
 * @throws EnvisionError `E_CHECK` listing each failed check as `name: detail` (cause: the first error the rule threw)
 */
export function checkFusion<O>(rule: FusionRule<O>, options: CheckFusionOptions<O> = {}): CheckResult[] {
  const log = new CheckLog();
  const k = options.k ?? 3;
  const m = options.m ?? 6;
  const groups = options.groups ?? [range(0, Math.ceil(k / 2)), range(Math.ceil(k / 2), k)].filter((g) => g.length > 0);
  const ruleOptions = checkOptions(rule, options.options ?? {}, log);
  const tolerance = options.tolerance ?? 1e-2;
  const plain = sampleFusionInput(ruleOptions, k, m);
  checkInput(rule, plain, '', k, tolerance, log);
  checkLinear(rule, plain, log);
  if (rule.rows === undefined) log.add('groups', true, 'ignores groups (no rows()): one row per text expected');
  else log.add('groups', true, `rows(${k}, groups) = ${rule.rows(k, groups)} for ${groups.length} groups`);
  checkInput(rule, sampleFusionInput(ruleOptions, k, m, groups), ' with groups', k, tolerance, log);
  return log.finish(`checkFusion(${rule.meta.id})`);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** Resolves the rule's options (the `options` check). */
function checkOptions<O>(rule: FusionRule<O>, given: Partial<O>, log: CheckLog): O {
  try {
    const resolved = resolveOptions(rule.meta, given as Record<string, unknown>, `fusion ${rule.meta.id} options`);
    log.add('options', true, 'valid against the schema');
    return resolved;
  } catch (e) {
    log.threw('options', 'validation', e);
    return { ...(rule.meta.defaultOptions as Record<string, unknown>), ...(given as Record<string, unknown>) } as O;
  }
}

/** Scores, cotangents and finite differences at one input; `suffix` names the grouped variant. */
function checkInput<O>(rule: FusionRule<O>, input: FusionInput<O>, suffix: string, k: number, tolerance: number, log: CheckLog): void {
  const m = input.imageEmbedding.length;
  let rows = k;
  try {
    rows = rule.rows?.(k, input.groups) ?? k;
    const scores = rule.scores(input);
    const bad = scores.findIndex((v) => !Number.isFinite(v));
    const problem = scores.length !== rows ? `${scores.length} scores, expected ${rows}` : bad >= 0 ? `score ${bad} is ${scores[bad]}` : undefined;
    log.add(`scores${suffix}`, problem === undefined, problem ?? `${rows} finite scores`);
  } catch (e) {
    log.threw(`scores${suffix}`, 'scores', e);
  }
  try {
    const c = rule.cotangents(input);
    const problem = float32Problem(c, [rows, m], 'cotangents');
    log.add(`cotangents${suffix}`, problem === undefined, problem ?? `float32 ${formatShape(c.shape)}, finite`);
  } catch (e) {
    log.threw(`cotangents${suffix}`, 'cotangents', e);
  }
  try {
    const error = checkFusionCotangents(rule, input);
    log.add(`finite differences${suffix}`, within(error, tolerance), `cotangents against central differences (step 1e-3): ${formatError(error, tolerance)}`);
  } catch (e) {
    log.threw(`finite differences${suffix}`, 'scores or cotangents', e);
  }
}

/** The `linear` check: cotangents of a rule declared linear do not depend on e. */
function checkLinear<O>(rule: FusionRule<O>, input: FusionInput<O>, log: CheckLog): void {
  if (!rule.meta.linear) {
    log.add('linear', true, 'not declared linear: skipped');
    return;
  }
  try {
    const e = input.imageEmbedding;
    const other = Float32Array.from(e, (v, i) => -2 * v + Math.cos(i));
    const here = rule.cotangents(input);
    const there = rule.cotangents({ ...input, imageEmbedding: other });
    const error = relativeDeviation(there.data, here.data);
    log.add('linear', within(error, LINEAR_TOLERANCE), `cotangents at e and at −2e + cos(i): ${formatError(error, LINEAR_TOLERANCE)}`);
  } catch (e) {
    log.threw('linear', 'cotangents', e);
  }
}
