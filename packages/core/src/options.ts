import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { EnvisionError } from '@envision/onnx-grad';
import type { JsonSchema } from './method.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

/** A plugin's options declaration: its JSON Schema and its defaults. */
export interface OptionsDeclaration<Options> {
  readonly optionsSchema: JsonSchema;
  readonly defaultOptions: Partial<Options>;
}

/** Formats one ajv error as `prefix.path message` (paths JavaScript-style: `options.window[0]`). */
export function formatAjvError(e: ErrorObject, prefix: string): string {
  const parts = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`));
  let path = prefix + parts.join('');
  if (e.keyword === 'additionalProperties') {
    return `${path}.${String(e.params.additionalProperty)} is not allowed`;
  }
  if (path.startsWith('.')) path = path.slice(1);
  return `${path || '(root)'} ${e.message ?? 'is invalid'}`;
}

/**
 * Merges given options over a plugin's defaults and validates the result against its schema, compiling each
 * schema once (cached by the declaration object).
 *
 * @param declaration - the plugin's `meta` (schema and defaults)
 * @param given - options from the user (may be partial)
 * @param where - names the options in messages, e.g. `method occlusion options`
 * @throws EnvisionError `E_CONFIG` listing every problem, each as `path message`
 */
export function resolveOptions<Options>(declaration: OptionsDeclaration<Options>, given: Record<string, unknown>, where: string): Options {
  let validate = compiled.get(declaration);
  if (validate === undefined) {
    validate = ajv.compile(declaration.optionsSchema);
    compiled.set(declaration, validate);
  }
  const merged = { ...(declaration.defaultOptions as Record<string, unknown>), ...given };
  if (!validate(merged)) {
    const problems = (validate.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => formatAjvError(e, 'options'));
    throw new EnvisionError('E_CONFIG', `${where}: ${problems.join('; ')}`);
  }
  return merged as Options;
}
