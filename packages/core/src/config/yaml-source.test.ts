import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { locate, parseYamlFile } from './yaml-source.js';

function write(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'envision-yaml-')), 'exp.yaml');
  writeFileSync(file, text);
  return file;
}

/** Line and column (1-based) of the first occurrence of `needle` in `text`, at or after line `fromLine`. */
function where(text: string, needle: string, fromLine = 1): { line: number; col: number } {
  const lines = text.split('\n');
  for (let i = fromLine - 1; i < lines.length; i++) {
    const col = lines[i]!.indexOf(needle);
    if (col >= 0) return { line: i + 1, col: col + 1 };
  }
  throw new Error(`${needle} not found`);
}

const text = ['model:', '  adapter: medclip', 'methods:', '  - id: occlusion', '    options: { window: [3, 16] }', ''].join('\n');

describe('parseYamlFile', () => {
  it('returns the document, the data and no issues for valid YAML', () => {
    const file = write(text);
    const parsed = parseYamlFile(file);
    expect(parsed.issues).toEqual([]);
    expect(parsed.data).toEqual({ model: { adapter: 'medclip' }, methods: [{ id: 'occlusion', options: { window: [3, 16] } }] });
    expect(parsed.file).toBe(file);
  });

  it('reports a missing file once, at 1:1', () => {
    const parsed = parseYamlFile('no/such/file.yaml');
    expect(parsed.issues).toEqual([
      { file: 'no/such/file.yaml', line: 1, col: 1, path: '(root)', message: 'cannot read the experiment file: no such file', code: 'E_FILE' },
    ]);
  });

  it('reports each syntax error at its line and column', () => {
    const bad = 'model:\n  adapter: medclip\n  bundle: x: y\nseed: 0\n';
    const parsed = parseYamlFile(write(bad));
    expect(parsed.issues).toEqual([
      { file: parsed.file, ...where(bad, 'x: y'), path: '(yaml)', message: 'Nested mappings are not allowed in compact mappings' },
    ]);
  });

  it('reports a list or map used as a key as an issue, and prints no Node warning (fuzz test, issue 21)', async () => {
    const warnings: string[] = [];
    const listener = (w: Error) => warnings.push(w.message);
    process.on('warning', listener);
    try {
      const parsed = parseYamlFile(write('{ [a, b]: 1, seed: 0 }\n'));
      expect(parsed.issues).toMatchObject([{ line: 1, col: 3, path: '(yaml)', message: 'a mapping key must be a plain value, not a list or a map (check the indentation: tabs are not indentation in YAML)' }]);
      await new Promise((done) => setImmediate(done)); // (process warnings are emitted on the next tick)
    } finally {
      process.off('warning', listener);
    }
    expect(warnings).toEqual([]);
  });

  it('reports duplicate keys', () => {
    const parsed = parseYamlFile(write('seed: 0\nseed: 1\n'));
    expect(parsed.issues).toMatchObject([{ line: 2, col: 1, message: 'Map keys must be unique' }]);
  });
});

describe('locate', () => {
  const parsed = parseYamlFile(write(text));
  const at = (path: (string | number)[], key = false) => locate(parsed.doc, parsed.lineCounter, path, { key });

  it('finds values and keys', () => {
    expect(at(['model', 'adapter'])).toEqual(where(text, 'medclip'));
    expect(at(['model', 'adapter'], true)).toEqual(where(text, 'adapter'));
    expect(at(['methods', 0])).toEqual(where(text, 'id:'));
    expect(at(['methods', 0, 'options', 'window'])).toEqual(where(text, '[3'));
    expect(at(['methods', 0, 'options', 'window', 1])).toEqual(where(text, '16'));
  });

  it('falls back to the nearest ancestor, then 1:1', () => {
    expect(at(['methods', 0, 'options', 'steps'])).toEqual(where(text, '{'));
    expect(at(['methods', 3, 'id'])).toEqual(where(text, '- id'));
    expect(at(['nope'])).toEqual({ line: 1, col: 1 });
    expect(at([])).toEqual({ line: 1, col: 1 });
  });

  it('skips nodes that were not read from the file', () => {
    const p = parseYamlFile(write(text));
    p.doc.setIn(['methods', 0, 'options', 'window'], p.doc.createNode([1, 2, 3]));
    expect(locate(p.doc, p.lineCounter, ['methods', 0, 'options', 'window', 0])).toEqual(where(text, 'window'));
  });
});
