import { describe, it, expect } from 'vitest';
import { REPORT_CSS } from './style.js';

describe('REPORT_CSS', () => {
  it('loads nothing from outside (no url(), no @import)', () => {
    expect(REPORT_CSS).not.toMatch(/url\(|@import/i);
  });

  it('cannot close the <style> element it is inlined into', () => {
    expect(REPORT_CSS).not.toMatch(/<\//);
  });
});
