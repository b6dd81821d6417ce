import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderOverlay, tensor } from '@envision/core';

// The built writer (its overlay thread is the compiled overlay-thread.js beside it; from the sources it would render
// on the calling thread instead).
const { OverlayWriter } = (await import('../../packages/core/dist/render/overlay-writer.js')) as typeof import('@envision/core');

const dir = mkdtempSync(join(tmpdir(), 'envision-overlay-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const S = 48;
const maps = tensor('float32', [3, 2, S, S], Float32Array.from({ length: 3 * 2 * S * S }, (_, i) => Math.sin(i * 0.37) * Math.cos(i * 0.011)));
const image = { data: Uint8Array.from({ length: S * S }, (_, i) => i % 251), width: S, height: S, channels: 1 as const };
const row = (k: number) => tensor('float32', [2, S, S], maps.data.subarray(k * 2 * S * S, (k + 1) * 2 * S * S));

describe('OverlayWriter (on its thread)', () => {
  it('writes the bytes renderOverlay gives, for jobs in flight at once, rows given as views of one buffer', async () => {
    const writer = OverlayWriter.get();
    const jobs = [0, 1, 2].flatMap((k) => (['all', 'positive'] as const).map((sign) => ({ k, sign, path: join(dir, `${k}.${sign}.png`) })));
    await Promise.all(jobs.map(({ k, sign, path }) => writer.write(path, { map: row(k), image, sign })));
    for (const { k, sign, path } of jobs) expect(Buffer.compare(readFileSync(path), Buffer.from(await renderOverlay({ map: row(k), image, sign })))).toBe(0);
  });

  it('rejects a bad job with the EnvisionError renderOverlay throws, and goes on with the next', async () => {
    const writer = OverlayWriter.get();
    const bad = writer.write(join(dir, 'bad.png'), { map: row(0), image, alpha: 2 });
    await expect(bad).rejects.toMatchObject({ code: 'E_CONFIG', message: 'overlay alpha must be between 0 and 1, got 2' });
    await writer.write(join(dir, 'after.png'), { map: row(1), image });
    expect(readFileSync(join(dir, 'after.png')).subarray(1, 4).toString()).toBe('PNG');
  });
});
