import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunManifest } from '../manifest.js';
import type { ReportExtras } from '../report/extras.js';
import { SANITY_FILE, type SanityResult } from '../sanity/result.js';

/**
 * The sanity check written in a run folder (`sanity.json`, by `envision sanity`), if there is one that reads as one.
 * @param dir - the run folder
 */
export async function readSanityResult(dir: string): Promise<SanityResult | undefined> {
  try {
    const data = JSON.parse(await readFile(join(dir, SANITY_FILE), 'utf8')) as Partial<SanityResult>;
    return data.format === 'envision-sanity/1' && Array.isArray(data.methods) ? (data as SanityResult) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a run's report shows besides its maps: the class-map similarity of each item that has one, and the sanity
 * check of the folder when `envision sanity` wrote one.
 * @param dir - the run folder
 * @param manifest - the run's manifest
 */
export async function runReportExtras(dir: string, manifest: Pick<RunManifest, 'items'>): Promise<ReportExtras | undefined> {
  const metrics = Object.fromEntries(manifest.items.filter((it) => it.metrics).map((it) => [`${it.image} · ${it.method} · ${it.target}`, it.metrics!]));
  const sanity = await readSanityResult(dir);
  if (Object.keys(metrics).length === 0 && sanity === undefined) return undefined;
  return { ...(Object.keys(metrics).length > 0 ? { metrics } : {}), ...(sanity ? { sanity } : {}) };
}
