import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExperimentParts } from './experiment-schema.js';
import { validateExperiment } from './validate.js';
import { parseYamlFile } from './yaml-source.js';

const text = `model: { adapter: m }
images: [a.png]
methods:
  - id: occlusion
    options: { window: [3, 8, 8] }
targets:
  - name: t
    dimensions: [0]
`;

function parse(source: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'envision-validate-')), 'exp.yml');
  writeFileSync(file, source);
  return parseYamlFile(file);
}

/** Parts whose occlusion schema counts how often it is read (it is read only to compose the schema). */
function countingParts(): { parts: ExperimentParts; reads: () => number } {
  let reads = 0;
  const schema = new Proxy(
    { $id: 'urn:test:occlusion', type: 'object', properties: { window: { type: 'array', minItems: 3 } } },
    { ownKeys: (target) => (reads++, Reflect.ownKeys(target)) },
  );
  const parts: ExperimentParts = {
    methods: [{ id: 'occlusion', optionsSchema: schema, defaultOptions: { window: [1, 1, 1] } }],
    adapters: [{ id: 'm', optionsSchema: { type: 'object' } }],
    fusions: [],
  };
  return { parts, reads: () => reads };
}

describe('validateExperiment', () => {
  it('compiles the composed schema once per parts object', () => {
    const { parts, reads } = countingParts();
    expect(validateExperiment(parse(text), parts).issues).toEqual([]);
    const afterFirst = reads();
    expect(afterFirst).toBeGreaterThan(0);
    expect(validateExperiment(parse(text.replace('[3, 8, 8]', '[3]')), parts).issues).toHaveLength(1);
    expect(reads()).toBe(afterFirst);
    const other = { ...countingParts().parts, methods: parts.methods };
    expect(validateExperiment(parse(text), other).issues).toEqual([]);
  });

  it('validates options with the defaults merged in', () => {
    const { parts } = countingParts();
    const { config } = validateExperiment(parse(text.replace('    options: { window: [3, 8, 8] }\n', '')), parts);
    expect(config?.methods[0]?.options).toEqual({ window: [1, 1, 1] });
    expect(config?.output.dir).toMatch(/runs[/\\]exp$/);
  });

  it('returns the parse issues of a broken file without validating it', () => {
    const parsed = parse('model: [\n');
    const result = validateExperiment(parsed, countingParts().parts);
    expect(result.issues).toBe(parsed.issues);
    expect(result.config).toBeUndefined();
  });

  it('validates the document as changed after parsing, and marks issues under overridden paths', () => {
    const parsed = parse(text);
    parsed.doc.setIn(['methods', 0, 'options', 'window'], parsed.doc.createNode([3]));
    parsed.doc.setIn(['seed'], parsed.doc.createNode('x'));
    const { issues } = validateExperiment(parsed, countingParts().parts, { overrides: [['methods', '0', 'options']] });
    expect(issues.map((i) => [i.line, i.col, i.path, i.message])).toEqual([
      [1, 1, 'seed', 'must be integer'],
      [5, 16, 'methods[0].options.window', 'must NOT have fewer than 3 items (from --set)'],
    ]);
  });
});
