import { describe, it, expect } from 'vitest';
import { formatDuration, formatNumber, formatValue } from './format.js';

describe('formatNumber', () => {
  it('writes integers as they are', () => {
    expect([0, 13, -729, 1e12].map(formatNumber)).toEqual(['0', '13', '-729', '1000000000000']);
  });

  it('rounds to four significant digits', () => {
    expect(formatNumber(-0.1301957070827484)).toBe('-0.1302');
    expect(formatNumber(2.6592600345611572)).toBe('2.659');
    expect(formatNumber(0.0054808109998703)).toBe('0.005481');
  });

  it('uses exponent notation for very small and very large numbers', () => {
    expect(formatNumber(-1.1287954868538421e-5)).toBe('-1.129e-5');
    expect(formatNumber(2e-7)).toBe('2e-7');
    expect(formatNumber(1234567.8)).toBe('1.235e+6');
  });

  it('names non-finite numbers', () => {
    expect([NaN, Infinity, -Infinity].map(formatNumber)).toEqual(['NaN', 'Infinity', '-Infinity']);
  });
});

describe('formatDuration', () => {
  it('picks a unit by size', () => {
    expect(formatDuration(849.6)).toBe('850 ms');
    expect(formatDuration(23019.2)).toBe('23.0 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
  });
});

describe('formatValue', () => {
  it('formats numbers, arrays, objects and the rest', () => {
    expect(formatValue([1.1287954868538421e-5, 0.5])).toBe('[1.129e-5, 0.5]');
    expect(formatValue({ steps: 32, integration: 'gausslegendre' })).toBe('{steps: 32, integration: gausslegendre}');
    expect(formatValue('x')).toBe('x');
    expect(formatValue(true)).toBe('true');
    expect(formatValue(null)).toBe('null');
  });
});
