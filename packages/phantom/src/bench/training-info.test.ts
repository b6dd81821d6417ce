import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrainingInfo, readTrainingInfo } from './training-info.js';

describe('parseTrainingInfo', () => {
  it('reads the held-out range, the size and the recorded accuracy', () => {
    const text = JSON.stringify({ phantoms: { size: 128, heldout: { seeds: [100000, 100499], n: 500 } }, evaluation: { n: 357, accuracy: 0.93 } });
    expect(parseTrainingInfo(text, 't.json')).toEqual({ heldout: { first: 100000, last: 100499 }, size: 128, accuracy: 0.93, accuracyImages: 357 });
  });
  it('leaves out what is not recorded', () => {
    expect(parseTrainingInfo('{"phantoms":{"heldout":{"seeds":[5,5]}}}', 't.json')).toEqual({ heldout: { first: 5, last: 5 } });
  });
  it('names the file and the field when the range is missing or wrong', () => {
    for (const text of ['{}', '{"phantoms":{"heldout":{"seeds":[9,3]}}}', '{"phantoms":{"heldout":{"seeds":[-1,3]}}}', '{"phantoms":{"heldout":{"seeds":[1.5,3]}}}', 'null']) {
      expect(() => parseTrainingInfo(text, 'dir/training.json')).toThrow(
        expect.objectContaining({ name: 'EnvisionError', code: 'E_BUNDLE', message: expect.stringMatching(/^dir\/training\.json: phantoms\.heldout\.seeds must be \[first, last\]/) }),
      );
    }
    expect(() => parseTrainingInfo('{', 'dir/training.json')).toThrow(
      expect.objectContaining({ name: 'EnvisionError', code: 'E_BUNDLE', message: expect.stringContaining('dir/training.json: not valid JSON') }),
    );
  });
});

describe('readTrainingInfo', () => {
  it('reads a file, and names a missing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envision-training-info-'));
    writeFileSync(join(dir, 'training.json'), '{"phantoms":{"heldout":{"seeds":[0,9]}}}');
    expect((await readTrainingInfo(join(dir, 'training.json'))).heldout).toEqual({ first: 0, last: 9 });
    await expect(readTrainingInfo(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'E_FILE', message: expect.stringContaining('missing.json') });
  });
});
