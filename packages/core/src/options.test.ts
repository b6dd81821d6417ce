import { describe, it, expect } from 'vitest';
import { resolveOptions } from './options.js';

const meta = {
  optionsSchema: {
    type: 'object',
    properties: { steps: { type: 'integer', minimum: 1 }, window: { type: 'array', items: { type: 'integer' }, minItems: 3 } },
    required: ['window'],
    additionalProperties: false,
  },
  defaultOptions: { steps: 50 },
};

describe('resolveOptions', () => {
  it('merges over defaults', () => {
    expect(resolveOptions(meta, { window: [1, 2, 3] }, 'm')).toEqual({ steps: 50, window: [1, 2, 3] });
    expect(resolveOptions(meta, { window: [1, 2, 3], steps: 5 }, 'm')).toEqual({ steps: 5, window: [1, 2, 3] });
  });
  it('reports every problem with its path', () => {
    const call = () => resolveOptions(meta, { window: [1], steps: 0, extra: 1 }, 'method ig');
    expect(call).toThrow(/^method ig: /);
    expect(call).toThrow(/options\.steps must be >= 1/);
    expect(call).toThrow(/options\.window must NOT have fewer than 3 items/);
    expect(call).toThrow(/options\.extra is not allowed/);
    expect(() => resolveOptions(meta, { window: [1, 'a', 3] }, 'm')).toThrow('m: options.window[1] must be integer');
  });
});
