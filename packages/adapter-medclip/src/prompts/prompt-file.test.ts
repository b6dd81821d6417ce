import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePromptFile, readPromptFile } from './prompt-file.js';

describe('parsePromptFile', () => {
  it('reads classes and prompts in file order', () => {
    const text = 'classes:\n  Edema: [mild pulmonary edema, Edema]\n  Atelectasis:\n    - linear atelectasis\n    - "  spaced "\n';
    const set = parsePromptFile(text, 'p.yaml');
    expect(Object.keys(set)).toEqual(['Edema', 'Atelectasis']);
    expect(set).toEqual({ Edema: ['mild pulmonary edema', 'Edema'], Atelectasis: ['linear atelectasis', '  spaced '] });
  });

  it('keeps a class named __proto__ or constructor as a class (the result has no prototype)', () => {
    const set = parsePromptFile('classes:\n  __proto__: [a]\n  constructor: [b]\n', 'p.yaml');
    expect(Object.keys(set)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(set)).toBeNull();
  });

  it('reports every problem on one line with positions', () => {
    const text = 'classes:\n  Edema: []\n  Other: [ok, 12]\nextra: 1\n';
    let message = '';
    try {
      parsePromptFile(text, 'p.yaml');
    } catch (e) {
      expect(e).toMatchObject({ code: 'E_CONFIG' });
      message = (e as Error).message;
    }
    expect(message).toBe(
      'p.yaml:4:1: unknown key "extra" (allowed: classes); p.yaml:2:10: classes.Edema must be a non-empty list of prompts; ' +
        'p.yaml:3:15: classes.Other[1] must be a string (quote it)',
    );
    expect(message).not.toContain('\n');
  });

  it('rejects a file without classes, or not a mapping', () => {
    expect(() => parsePromptFile('prompts: {}\n', 'p.yaml')).toThrow(/the key classes is missing/);
    expect(() => parsePromptFile('- a\n', 'p.yaml')).toThrow(/^p\.yaml:1:1: a prompt file must be a mapping/);
    expect(() => parsePromptFile('classes: {}\n', 'p.yaml')).toThrow(/with at least one class/);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(() => parsePromptFile('classes:\n  A: [x\n', 'p.yaml')).toThrow(/^p\.yaml:\d+:\d+: /);
  });

  it('reports duplicate class names', () => {
    expect(() => parsePromptFile('classes:\n  A: [x]\n  A: [y]\n', 'p.yaml')).toThrow(/^p\.yaml:3:3: .*unique/i);
  });
});

describe('readPromptFile', () => {
  it('reads a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envision-prompts-'));
    const file = join(dir, 'p.yaml');
    writeFileSync(file, 'classes:\n  A: [x]\n');
    expect(await readPromptFile(file)).toEqual({ A: ['x'] });
  });

  it('names a missing file', async () => {
    await expect(readPromptFile('/nonexistent/p.yaml')).rejects.toMatchObject({
      code: 'E_FILE',
      message: 'cannot read prompt file /nonexistent/p.yaml: no such file',
    });
  });
});
