import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { applyOverrides, parseOverride } from './overrides.js';

const text = 'model:\n  adapter: medclip\nmethods:\n  - id: occlusion\n    options: { window: [3, 16, 16] }\n  - id: ig\n    options:\nseed: 0\n';

describe('parseOverride', () => {
  it('splits paths on dots and [n], with numeric segments as indices', () => {
    expect(parseOverride('methods[0].options.window=[3,8,8]')).toEqual({ path: ['methods', 0, 'options', 'window'], value: [3, 8, 8] });
    expect(parseOverride('methods.0.options.steps=20')).toEqual({ path: ['methods', 0, 'options', 'steps'], value: 20 });
    expect(parseOverride('a[1][2]=x')).toEqual({ path: ['a', 1, 2], value: 'x' });
  });

  it('parses the value as JSON when it parses, else keeps the text', () => {
    expect(parseOverride('x=true')).toMatchObject({ value: true });
    expect(parseOverride('x="3"')).toMatchObject({ value: '3' });
    expect(parseOverride('x=runs/a=b')).toMatchObject({ value: 'runs/a=b' });
    expect(parseOverride('x=')).toMatchObject({ value: '' });
  });

  it('explains malformed overrides', () => {
    expect(parseOverride('seed')).toBe("expected key.path=value, got 'seed'");
    expect(parseOverride('=3')).toBe("empty key path in '=3'");
    expect(parseOverride('a..b=3')).toMatch(/^malformed key path 'a\.\.b'/);
    expect(parseOverride('a[x]=3')).toMatch(/^malformed key path/);
  });
});

describe('applyOverrides', () => {
  it('replaces, adds and creates values', () => {
    const doc = parseDocument(text);
    const result = applyOverrides(doc, [
      'methods[0].options.window=[3,8,8]',
      'methods.1.options.steps=20',
      'seed=7',
      'output.dir=runs/x',
      'methods[2].id=saliency',
      'output.signs[0]=all',
    ]);
    expect(result.issues).toEqual([]);
    expect(result.paths).toHaveLength(6);
    expect(doc.toJS()).toEqual({
      model: { adapter: 'medclip' },
      methods: [
        { id: 'occlusion', options: { window: [3, 8, 8] } },
        { id: 'ig', options: { steps: 20 } },
        { id: 'saliency' },
      ],
      seed: 7,
      output: { dir: 'runs/x', signs: ['all'] },
    });
  });

  it('refuses plugins: they are named in the experiment file only (row 13 of the reliability issue)', () => {
    const doc = parseDocument(text);
    const result = applyOverrides(doc, ['plugins=["./evil.js"]', 'plugins[0]=./evil.js', 'seed=3']);
    expect(result.issues.map((i) => [i.line, i.path, i.message])).toEqual([
      [1, 'plugins', 'plugins cannot be set on the command line: name them in the experiment file (a plugin is code that runs)'],
      [2, 'plugins[0]', 'plugins cannot be set on the command line: name them in the experiment file (a plugin is code that runs)'],
    ]);
    expect((doc.toJS() as { plugins?: unknown; seed: number }).plugins).toBeUndefined();
  });

  it('fills an empty document', () => {
    const doc = parseDocument('');
    expect(applyOverrides(doc, ['model.adapter=medclip']).issues).toEqual([]);
    expect(doc.toJS()).toEqual({ model: { adapter: 'medclip' } });
  });

  it('reports malformed and impossible overrides with file --set and their position', () => {
    const doc = parseDocument(text);
    const { issues, paths } = applyOverrides(doc, ['seed=1', 'seed', 'model.adapter.x=1', 'methods[5].id=x', 'methods.id=x']);
    expect(paths).toEqual([['seed']]);
    expect(issues).toEqual([
      { file: '--set', line: 2, col: 1, path: '(root)', message: "expected key.path=value, got 'seed'" },
      { file: '--set', line: 3, col: 1, path: 'model.adapter.x', message: 'cannot set: model.adapter is not a map or a list' },
      { file: '--set', line: 4, col: 1, path: 'methods[5].id', message: 'cannot set: index 5 is past the end of methods (length 2)' },
      { file: '--set', line: 5, col: 1, path: 'methods.id', message: "cannot set: methods is a list; 'id' is not an index" },
    ]);
  });
});
