import { describe, it, expect } from 'vitest';
import { relativeUrl } from './url.js';

describe('relativeUrl', () => {
  it('keeps a plain relative path', () => {
    expect(relativeUrl('cxr-a/ig/prompts/00-cardiomegaly.all.png')).toBe('cxr-a/ig/prompts/00-cardiomegaly.all.png');
  });

  it('percent-encodes each segment', () => {
    expect(relativeUrl('my run/a#b?c.png')).toBe('my%20run/a%23b%3Fc.png');
    expect(relativeUrl('javascript:alert(1)')).toBe('javascript%3Aalert(1)');
  });

  it('accepts backslashes and drops empty and `.` segments', () => {
    expect(relativeUrl('a\\b\\c.png')).toBe('a/b/c.png');
    expect(relativeUrl('./a//b.png')).toBe('a/b.png');
  });

  it('keeps `..` segments', () => {
    expect(relativeUrl('../figures/x.png')).toBe('../figures/x.png');
  });

  it('makes an absolute path relative to the run folder', () => {
    expect(relativeUrl('/runs/demo/figures/roc.png', '/runs/demo')).toBe('figures/roc.png');
    expect(relativeUrl('/runs/other/x.png', '/runs/demo')).toBe('../other/x.png');
  });
});
