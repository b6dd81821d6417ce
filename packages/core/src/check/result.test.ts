import { describe, expect, it } from 'vitest';
import { EnvisionError } from '@envision/onnx-grad';
import { CheckLog } from './result.js';

describe('CheckLog', () => {
  it('returns the results when every check passed', async () => {
    const log = new CheckLog();
    log.add('a', true, 'fine');
    expect(await log.attempt('b', 'b', () => 3)).toBe(3);
    expect(log.finish('kit(x)')).toEqual([{ name: 'a', ok: true, detail: 'fine' }]);
  });

  it('throws one E_CHECK line naming each failed check, with the first thrown error as cause', async () => {
    const log = new CheckLog();
    const first = new EnvisionError('E_METHOD', 'first problem\nsecond line');
    log.add('shape', false, 'is [2], expected [3]');
    expect(await log.attempt('run', 'attribute', () => Promise.reject(first))).toBeUndefined();
    log.threw('later', 'scores', new Error('second'));
    log.notChecked('run', 'never shown: already recorded');
    log.notChecked('linear', 'attribute threw');
    log.add('fine', true, 'ok');
    expect(() => log.finish('kit(x)')).toThrow(
      expect.objectContaining({
        code: 'E_CHECK',
        cause: first,
        message: 'kit(x) failed 4 of 5 checks: shape: is [2], expected [3]; run: attribute threw: first problem; later: scores threw: second; linear: not checked: attribute threw',
      }),
    );
  });
});
