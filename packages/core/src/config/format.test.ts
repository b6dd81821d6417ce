import { describe, expect, it } from 'vitest';
import { configError, formatIssue, formatIssues, formatPath } from './format.js';

describe('formatIssue', () => {
  it('prints FILE:LINE:COL path message', () => {
    expect(formatIssue({ file: 'exp/a.yaml', line: 3, col: 7, path: 'methods[1].options.window', message: 'must NOT have fewer than 3 items' }))
      .toBe('exp/a.yaml:3:7 methods[1].options.window must NOT have fewer than 3 items');
  });

  it('joins several issues one per line', () => {
    const a = { file: 'a.yaml', line: 1, col: 1, path: '(root)', message: 'x' };
    expect(formatIssues([a, { ...a, line: 2 }])).toBe('a.yaml:1:1 (root) x\na.yaml:2:1 (root) x');
  });
});

describe('configError', () => {
  it('uses E_CONFIG unless a file could not be read', () => {
    const a = { file: 'a.yaml', line: 1, col: 1, path: '(root)', message: 'x' };
    expect(configError([a]).code).toBe('E_CONFIG');
    expect(configError([a, { ...a, code: 'E_FILE' as const }]).code).toBe('E_FILE');
    expect(configError([a]).message).toBe('a.yaml:1:1 (root) x');
  });
});

describe('formatPath', () => {
  it('spells paths JavaScript-style', () => {
    expect(formatPath([])).toBe('(root)');
    expect(formatPath(['model', 'adapter'])).toBe('model.adapter');
    expect(formatPath(['methods', 1, 'options', 'window'])).toBe('methods[1].options.window');
    expect(formatPath(['model', 'a b', 'x-y'])).toBe('model["a b"].x-y');
  });
});
