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
 * The compiled validator of a plugin's options schema, compiled once per declaration object.
 * @throws Error from ajv when the schema itself is invalid (the registry checks this when a plugin registers)
 */
export function compileOptionsSchema(declaration: { readonly optionsSchema: JsonSchema }): ValidateFunction {
  let validate = compiled.get(declaration);
  if (validate === undefined) {
    validate = ajv.compile(declaration.optionsSchema);
    compiled.set(declaration, validate);
  }
  return validate;
}

/**
 * Validates a plugin's defaults against its schema with the schema's top-level `required` lifted (defaults may
 * leave required options to the user). Returns the problems, each as `defaultOptions.path message`.
 */
export function defaultOptionsProblems(declaration: { readonly optionsSchema: JsonSchema; readonly defaultOptions?: unknown }): string[] {
  const { required: _required, ...relaxed } = declaration.optionsSchema;
  const validate = ajv.compile(relaxed);
  if (validate(declaration.defaultOptions ?? {})) return [];
  return (validate.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => formatAjvError(e, 'defaultOptions'));
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
  const validate = compileOptionsSchema(declaration);
  const merged = { ...(declaration.defaultOptions as Record<string, unknown>), ...given };
  if (!validate(merged)) {
    const problems = (validate.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => formatAjvError(e, 'options'));
    throw new EnvisionError('E_CONFIG', `${where}: ${problems.join('; ')}`);
  }
  return merged as Options;
}
