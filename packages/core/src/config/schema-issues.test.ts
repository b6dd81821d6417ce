import type { ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { MESSAGE_KEYWORD } from './experiment-schema.js';
import { pointerToPath, schemaIssues } from './schema-issues.js';

function error(keyword: string, instancePath: string, schemaPath: string, extra: Partial<ErrorObject> = {}): ErrorObject {
  return { keyword, instancePath, schemaPath, params: {}, message: `fails ${keyword}`, ...extra };
}

describe('pointerToPath', () => {
  it('turns list indices into numbers and unescapes keys', () => {
    const data = { methods: [{ options: { 'a/b': { '0': 1 } } }] };
    expect(pointerToPath('', data)).toEqual([]);
    expect(pointerToPath('/methods/0/options/a~1b/0', data)).toEqual(['methods', 0, 'options', 'a/b', '0']);
  });
});

describe('schemaIssues', () => {
  it('names additional properties, drops if/then noise and lists enum values', () => {
    const data = { methods: [{ id: 'x' }], strategy: 'y' };
    const issues = schemaIssues(
      [
        error('additionalProperties', '/methods/0', '#/x', { params: { additionalProperty: 'optionz' } }),
        error('if', '/methods/0', '#/allOf/0/if', { message: 'must match "then" schema' }),
        error('enum', '/strategy', '#/s', { params: { allowedValues: ['auto', 'direct'] }, message: 'must be equal to one of the allowed values' }),
      ],
      data,
    );
    expect(issues).toEqual([
      { path: ['methods', 0, 'optionz'], message: 'is not allowed', atKey: true },
      { path: ['strategy'], message: 'must be equal to one of the allowed values: "auto", "direct"' },
    ]);
  });

  it('replaces a oneOf that declares a message, and its branch errors, with that message', () => {
    const parentSchema = { oneOf: [], [MESSAGE_KEYWORD]: 'must have exactly one of a or b' };
    const issues = schemaIssues(
      [
        error('required', '/t', '#/t/oneOf/0/required'),
        error('required', '/t', '#/t/oneOf/1/required'),
        error('oneOf', '/t', '#/t/oneOf', { parentSchema }),
        error('oneOf', '/u', '#/u/oneOf', { parentSchema: { oneOf: [] } }),
      ],
      { t: {}, u: {} },
    );
    expect(issues).toEqual([
      { path: ['t'], message: 'must have exactly one of a or b' },
      { path: ['u'], message: 'fails oneOf' },
    ]);
  });
});
