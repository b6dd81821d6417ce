import { renderGrid, renderOverlay, tensor } from '@envision/core';
import type { BenchExample } from './bench-phantoms.js';
import { BENCH_APPROACHES } from './types.js';

/**
 * A figure of one benchmarked phantom: one row per method; the columns are the finding (its mask over the image),
 * then the baseline's and the proposed approach's map of the first finding's class, drawn over the image with
 * Captum's positive sign (2 % outliers clipped).
 *
 * @param example - the phantom and its kept class maps
 * @param classes - class names, in the maps' row order
 * @param cellSize - side of each cell in pixels
 * @returns PNG bytes
 * @throws EnvisionError `E_INPUT` when the phantom has no finding or the maps lack a method's approach
 */
export async function renderBenchFigure(example: BenchExample, classes: readonly string[], cellSize = 160): Promise<Uint8Array> {
  const { phantom, maps } = example;
  const finding = phantom.findings[0];
  const size = phantom.size;
  const image = { data: phantom.image, width: size, height: size, channels: 1 as const };
  const k = finding === undefined ? -1 : classes.indexOf(finding.class);
  const truth = finding && (await renderOverlay({ map: tensor('float32', [size, size], Float32Array.from(finding.mask)), image, sign: 'positive', outlierPerc: 0, alpha: 0.5 }));
  const methods = Object.keys(maps);
  const cells: (Uint8Array | null)[][] = [];
  for (const method of methods) {
    const row: (Uint8Array | null)[] = [truth ?? null];
    for (const approach of BENCH_APPROACHES) {
      const m = maps[method]![approach];
      const plane = k < 0 ? undefined : tensor('float32', [size, size], m.data.subarray(k * size * size, (k + 1) * size * size));
      row.push(plane === undefined ? null : await renderOverlay({ map: plane, image, sign: 'positive', outlierPerc: 2, alpha: 0.6 }));
    }
    cells.push(row);
  }
  return renderGrid({ cells, rowLabels: methods, colLabels: ['finding', 'baseline', 'proposed'], cellSize });
}
