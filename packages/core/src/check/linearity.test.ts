import { describe, expect, it } from 'vitest';
import type { AttributionMethod } from '../method.js';
import { declaredLinear } from './linearity.js';

const withMeta = (meta: Record<string, unknown>) => ({ meta, attribute: async () => ({}) }) as unknown as AttributionMethod<{ abs: boolean }>;

describe('declaredLinear', () => {
  it('reads meta.linear, a boolean or a function of the options', () => {
    expect(declaredLinear(withMeta({ linear: true }), { abs: true })).toBe(true);
    expect(declaredLinear(withMeta({ linear: (o: { abs: boolean }) => !o.abs }), { abs: true })).toBe(false);
    expect(declaredLinear(withMeta({ linear: (o: { abs: boolean }) => !o.abs }), { abs: false })).toBe(true);
  });

  it('falls back to the deprecated meta.linearInTarget, and prefers linear when both are given', () => {
    expect(declaredLinear(withMeta({ linearInTarget: (o: { abs: boolean }) => !o.abs }), { abs: false })).toBe(true);
    expect(declaredLinear(withMeta({ linear: false, linearInTarget: true }), { abs: false })).toBe(false);
  });

  it('is false when the method declares neither', () => {
    expect(declaredLinear(withMeta({}), { abs: false })).toBe(false);
  });
});
