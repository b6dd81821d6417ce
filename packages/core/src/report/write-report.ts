import { join } from 'node:path';
import { writeFileAtomic } from '@envision/onnx-grad';
import type { RunManifest } from '../manifest.js';
import type { ReportExtras } from './extras.js';
import { renderReport } from './page.js';

/** The report's file name inside the run folder. */
export const REPORT_FILE = 'report.html';

/**
 * Writes the static HTML report of a run, `report.html` in the run folder, atomically. It opens from disk without a
 * server: the overlays are the run's PNGs by relative URL, the style is inline, nothing external is loaded and no
 * script runs. Every text from the manifest is HTML-escaped.
 *
 * @param runDir - the run folder (the manifest's paths are relative to it)
 * @param manifest - the run manifest
 * @param extras - metrics and figures to add, if any
 * @returns the path of the report
 * @throws EnvisionError `E_FILE` when the report cannot be written
 */
export async function writeReport(runDir: string, manifest: RunManifest, extras?: ReportExtras): Promise<string> {
  const path = join(runDir, REPORT_FILE);
  await writeFileAtomic(path, renderReport(manifest, extras, runDir));
  return path;
}
