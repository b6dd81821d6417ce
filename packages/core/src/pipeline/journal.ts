import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvisionError, describeCause, writeFileAtomic } from '@envision/onnx-grad';
import { confinedPath } from './stale-files.js';
import { ITEM_RECORD_FORMAT, recordFilesIntact, type ItemRecord, type WorkItem } from './work-item.js';
import type { FailedItem } from '../manifest.js';

/** The journal's folder in the run folder. */
export const JOURNAL_DIR = '.envision-journal';
/** The format of the journal's `run.json`. */
export const JOURNAL_FORMAT = 'envision-journal/1';

/** The journal's `run.json`: whether the run in the folder finished. */
export interface JournalHeader {
  readonly format: typeof JOURNAL_FORMAT;
  /**
   * `running` from the start of a run until its manifest is written; `finished` after, or `failed` when items of the
   * run failed (their failures are in `failed/`): a plain run refuses a `failed` folder as it refuses a `running` one.
   */
  readonly state: 'running' | 'finished' | 'failed';
  /** When the run (or the resume that last took the folder) started. */
  readonly startedAt: string;
  /** How many items the run has. */
  readonly items: number;
}

/** How a run treats a journal it finds: `plain` refuses an unfinished run, `resume` continues it, `fresh` forgets it. */
export type JournalMode = 'plain' | 'resume' | 'fresh';

const headerPath = (runDir: string) => join(runDir, JOURNAL_DIR, 'run.json');
/** The record of an item, relative to the run folder: `.envision-journal/items/IMAGE/METHOD.json`. */
export const recordPath = (id: string): string => join(JOURNAL_DIR, 'items', `${id}.json`);
/** The failure of an item, relative to the run folder: `.envision-journal/failed/IMAGE/METHOD.json` (a {@link FailedItem}). */
export const failurePath = (id: string): string => join(JOURNAL_DIR, 'failed', `${id}.json`);

/** The journal header of a run folder, or undefined when it has none (or an unreadable one: a run never wrote it half). */
export async function readJournalHeader(runDir: string): Promise<JournalHeader | undefined> {
  try {
    const header = JSON.parse(await readFile(headerPath(runDir), 'utf8')) as JournalHeader;
    return header.format === JOURNAL_FORMAT ? header : undefined;
  } catch {
    return undefined;
  }
}

/** The item records in a run folder's journal (their ids), sorted. */
async function recordIds(runDir: string): Promise<string[]> {
  const ids: string[] = [];
  const items = join(runDir, JOURNAL_DIR, 'items');
  for (const image of await readdir(items).catch(() => [] as string[])) {
    for (const f of await readdir(join(items, image)).catch(() => [] as string[])) if (f.endsWith('.json') && !f.startsWith('.')) ids.push(`${image}/${f.slice(0, -5)}`);
  }
  return ids.sort();
}

/**
 * Writes an item's record into the run folder's journal, atomically (a record is there whole or not at all). It is
 * written after every file it lists, so a record vouches for finished files.
 * @param runDir - the run folder
 * @param record - the record
 */
export async function writeItemRecord(runDir: string, record: ItemRecord): Promise<void> {
  await writeFileAtomic(await confinedPath(runDir, recordPath(record.id)), JSON.stringify(record) + '\n');
}

/**
 * The record of an item that a resume can trust, or undefined: the record must be there, parse, name the item and
 * its current {@link WorkItem.inputs}, and every file it lists must be in the folder with its recorded size and SHA-256.
 * @param runDir - the run folder
 * @param item - the item as planned now
 */
export async function trustedRecord(runDir: string, item: WorkItem): Promise<ItemRecord | undefined> {
  let record: ItemRecord;
  try {
    record = JSON.parse(await readFile(join(runDir, recordPath(item.id)), 'utf8')) as ItemRecord;
  } catch {
    return undefined;
  }
  if (record.format !== ITEM_RECORD_FORMAT || record.id !== item.id || record.inputs !== item.inputs || !Array.isArray(record.files)) return undefined;
  return (await recordFilesIntact(runDir, record)) ? record : undefined;
}

/** A run's journal, opened by {@link openJournal}. */
export interface Journal {
  /** Records an item's failure (atomically); a resume retries the item, as it has no record. */
  fail(failure: FailedItem): Promise<void>;
  /** Marks the run finished (after its manifest is written), or `failed` when any item failed. */
  finish(failed?: number): Promise<void>;
  /** Deletes item records (a run stopped by bad input takes back its own), and the journal when none is left. */
  forget(ids: Iterable<string>): Promise<void>;
}

/**
 * Opens the journal of a run in `runDir` (which the run has locked). A folder whose journal says `running` holds an
 * unfinished run: `plain` refuses it, `resume` keeps its records, `fresh` deletes them. `plain` and `fresh` start with
 * no records (a finished run's are deleted: the new run rewrites its files). The header is then written as `running`.
 * @param runDir - the run folder
 * @param mode - see {@link JournalMode}
 * @param items - how many items the run has
 * @throws EnvisionError `E_FILE` for an unfinished run in `plain` mode, naming `--resume` and `--fresh`
 */
export async function openJournal(runDir: string, mode: JournalMode, items: number): Promise<Journal> {
  const header = await readJournalHeader(runDir);
  if (header !== undefined && header.state !== 'finished' && mode === 'plain') {
    const done = (await recordIds(runDir)).length;
    const failed = header.state === 'failed' ? `, ${header.items - done} failed` : '';
    throw new EnvisionError('E_FILE', `${runDir} holds an unfinished run (${done} of ${header.items} items recorded${failed}, started ${header.startedAt}); continue it with --resume, or start over with --fresh`);
  }
  if (mode !== 'resume') await rm(join(runDir, JOURNAL_DIR), { recursive: true, force: true });
  // (failures are this run's to record: a resume retries every failed item)
  else await rm(join(runDir, JOURNAL_DIR, 'failed'), { recursive: true, force: true });
  const write = (state: JournalHeader['state']) =>
    writeFileAtomic(headerPath(runDir), JSON.stringify({ format: JOURNAL_FORMAT, state, startedAt, items } satisfies JournalHeader) + '\n').catch((e: unknown) => {
      throw new EnvisionError('E_FILE', `cannot write the run journal in ${runDir}: ${describeCause(e)}`, e);
    });
  const startedAt = new Date().toISOString();
  await confinedPath(runDir, join(JOURNAL_DIR, 'run.json'));
  await write('running');
  return {
    fail: async (failure) => writeFileAtomic(await confinedPath(runDir, failurePath(failure.item)), JSON.stringify(failure) + '\n'),
    finish: (failed = 0) => write(failed > 0 ? 'failed' : 'finished'),
    async forget(ids) {
      for (const id of ids) await rm(join(runDir, recordPath(id)), { force: true });
      if ((await recordIds(runDir)).length === 0) await rm(join(runDir, JOURNAL_DIR), { recursive: true, force: true });
    },
  };
}
