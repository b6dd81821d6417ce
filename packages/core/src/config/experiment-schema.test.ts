import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { experimentSchema, type ExperimentParts } from './experiment-schema.js';

const occlusion = {
  id: 'occlusion',
  optionsSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { window: { $ref: '#/$defs/triple' } },
    required: ['window'],
    additionalProperties: false,
    $defs: { triple: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 3, maxItems: 3 } },
  },
};
const saliency = { id: 'saliency', optionsSchema: { type: 'object', properties: { abs: { type: 'boolean' } }, additionalProperties: false } };
const medclip = { id: 'medclip', optionsSchema: { type: 'object', properties: { bundle: { type: 'string' } }, required: ['bundle'], additionalProperties: false } };
const softmax = { id: 'softmax', optionsSchema: { type: 'object', properties: { temperature: { type: 'number', exclusiveMinimum: 0 } }, additionalProperties: false } };
const parts: ExperimentParts = { methods: [occlusion, saliency], adapters: [medclip], fusions: [softmax] };

const base = {
  model: { adapter: 'medclip', bundle: 'b' },
  images: ['a.png'],
  methods: [{ id: 'occlusion', options: { window: [3, 8, 8] } }, { id: 'saliency' }],
  targets: [{ name: 'dims', dimensions: [0] }, { name: 't', texts: ['x'], fusion: { id: 'softmax', options: { temperature: 1 } } }],
};

function validator(p: ExperimentParts) {
  return new Ajv2020({ allErrors: true, strict: false }).compile(experimentSchema(p));
}

describe('experimentSchema', () => {
  const validate = validator(parts);

  it('accepts a valid experiment', () => {
    expect(validate(base), JSON.stringify(validate.errors)).toBe(true);
  });

  it('keys each method schema by id, keeping its local $refs', () => {
    const items = (experimentSchema(parts)['properties'] as any).methods.items;
    expect(items.allOf).toHaveLength(2);
    expect(items.allOf[0].if).toEqual({ properties: { id: { const: 'occlusion' } }, required: ['id'] });
    expect(validate({ ...base, methods: [{ id: 'occlusion', options: { window: [3, 8] } }] })).toBe(false);
    expect(validate.errors!.map((e) => [e.instancePath, e.message])).toContainEqual(['/methods/0/options/window', 'must NOT have fewer than 3 items']);
  });

  it('applies a method schema to its options only', () => {
    expect(validate({ ...base, methods: [{ id: 'occlusion', options: {} }] })).toBe(false);
    expect(validate({ ...base, methods: [{ id: 'saliency', options: { window: 1 } }] })).toBe(false);
    expect(validate({ ...base, methods: [{ id: 'saliency', options: { abs: true } }] })).toBe(true);
  });

  it('validates model minus adapter with the adapter schema', () => {
    expect(validate({ ...base, model: { adapter: 'medclip' } })).toBe(false);
    expect(validate({ ...base, model: { adapter: 'medclip', bundle: 'b', extra: 1 } })).toBe(false);
    expect(validate.errors!.map((e) => e.params)).toContainEqual({ additionalProperty: 'extra' });
  });

  it('validates fusion options by fusion id', () => {
    const targets = [{ name: 't', texts: ['x'], fusion: { id: 'softmax', options: { temperature: 0 } } }];
    expect(validate({ ...base, targets })).toBe(false);
  });

  it('does not reject unknown ids (the validator reports them)', () => {
    expect(validate({ ...base, model: { adapter: 'other', anything: 1 }, methods: [{ id: 'x', options: { y: 1 } }] })).toBe(true);
  });

  it('compiles with no plugins at all', () => {
    const schema = experimentSchema({ methods: [], adapters: [], fusions: [] });
    expect(JSON.stringify(schema)).not.toContain('allOf');
    expect(validator({ methods: [], adapters: [], fusions: [] })(base)).toBe(true);
  });

  it('rejects unknown keys at every level but model', () => {
    expect(validate({ ...base, extra: 1 })).toBe(false);
    expect(validate({ ...base, output: { dirr: 'x' } })).toBe(false);
    expect(validate({ ...base, targets: [{ name: 'd', dimensions: [0], extra: 1 }] })).toBe(false);
  });
});
