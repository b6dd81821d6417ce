// Distributed runs on BullMQ + Redis: `envision run CONFIG --queue URL` enqueues the run's items (one job per image ×
// method) and waits for them, then collects; `envision worker --queue URL` computes items of any run whose files it
// sees. The submitter is the run's `ItemExecutor` (as the local worker pool is), so plan, journal, collect and the
// folder's lock stay in `runExperiment`.
import { createHash } from 'node:crypto';
import { Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import {
  EnvisionError,
  canonicalJson,
  computeItem,
  describeCause,
  isEnvisionError,
  openRunContext,
  recordFilesIntact,
  runtimeVersions,
  stoppingRun,
  stopsRun,
  writeItemRecord,
  type EnvisionErrorCode,
  type ExperimentSource,
  type ItemExecutor,
  type ItemRecord,
  type RunContext,
  type WorkItem,
} from '@envision/core';
import { issuesError, loadExperimentWithPlugins } from './experiment.js';

/** The BullMQ queue every run's items go to (a worker computes items of any run, as each names its experiment). */
export const QUEUE_NAME = 'envision-items';

/** Where a queue lives: a Redis server (host, port, database number) and the URL as given. */
export interface QueueLocation {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly db: number;
}

/**
 * Parses `--queue redis://HOST:PORT[/DB]` (the port defaults to 6379, the database to 0).
 * @throws EnvisionError `E_USAGE` naming what is wrong
 */
export function parseQueueUrl(url: string): QueueLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EnvisionError('E_USAGE', `--queue wants redis://HOST:PORT[/DB], got '${url}'`);
  }
  if (parsed.protocol !== 'redis:') throw new EnvisionError('E_USAGE', `--queue wants a redis:// URL (redis://HOST:PORT[/DB]), got '${url}'`);
  if (parsed.hostname === '') throw new EnvisionError('E_USAGE', `--queue names no host: '${url}' (redis://HOST:PORT[/DB])`);
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '') {
    throw new EnvisionError('E_USAGE', `--queue takes redis://HOST:PORT[/DB] only (no user, password, query or fragment), got '${url}'`);
  }
  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) throw new EnvisionError('E_USAGE', `--queue database must be a number, got '${path}' in '${url}'`);
  return { url, host: parsed.hostname.replace(/^\[|\]$/g, ''), port: parsed.port === '' ? 6379 : Number(parsed.port), db: path === '' ? 0 : Number(path) };
}

/** ioredis options for BullMQ: blocking commands wait as long as they need (`maxRetriesPerRequest: null`), no key prefix. */
const connection = (at: QueueLocation) => ({ host: at.host, port: at.port, db: at.db, maxRetriesPerRequest: null });

/**
 * Checks that the queue's Redis answers (one connection attempt, a few seconds at most), so that an unreachable server
 * is one line and exit 2 rather than a process retrying for ever.
 * @throws EnvisionError `E_QUEUE` naming the URL and the cause
 */
export async function checkQueue(at: QueueLocation, timeoutMs = 5000): Promise<void> {
  const redis = new Redis({ host: at.host, port: at.port, db: at.db, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => undefined); // reported by connect() below
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new EnvisionError('E_QUEUE', `cannot reach the queue's Redis at ${at.url}: ${describeCause(e)}`, e);
  } finally {
    redis.disconnect();
  }
}

/**
 * The job id of an item: the same item of the same run (experiment file and `--set`s, item id, inputs) always gets the
 * same id, so enqueuing it twice (a re-submitted run) adds no second job. BullMQ ids cannot hold `:`.
 */
export function jobIdOf(item: WorkItem): string {
  const experiment = createHash('sha256').update(canonicalJson(item.experiment)).digest('hex').slice(0, 16);
  return `${item.id}@${item.inputs.slice(0, 32)}.${experiment}`.replace(/:/g, '_');
}

/** Retries and clean-up of each job: 3 attempts with exponential backoff from 2 s; finished jobs kept for a week. */
const JOB_OPTIONS = { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } } as const;

/**
 * A job's failure as the submitter reports it, from the reason the worker gave: `RUN CODE message` is bad input that
 * concerns the whole run (the worker cannot load the experiment, or the item does not match it): it stops the run;
 * `CODE message` is bad input of this item (an image that cannot be read or decoded): an EnvisionError; anything else
 * an internal error. The last two fail the item alone, and say how many attempts it had.
 */
function failureOf(reason: string, attempts: number): Error {
  const line = reason.split('\n')[0]!;
  const whole = /^RUN (E_[A-Z]+) (.*)$/.exec(line);
  if (whole) return stoppingRun(new EnvisionError(whole[1] as EnvisionErrorCode, whole[2]!));
  const tried = attempts > 1 ? ` (${attempts} attempts on the queue)` : '';
  const m = /^(E_[A-Z]+) (.*)$/.exec(line);
  if (m) return new EnvisionError(m[1] as EnvisionErrorCode, m[2]! + tried);
  return new Error(line + tried);
}

/**
 * Enqueues a run's items on the queue (idempotent job ids: see {@link jobIdOf}) and gives the run an executor that
 * waits for each item's job, with its progress. A job that already finished in an earlier submission is reused when
 * its record still vouches for the files in the run folder; a failed one, or a finished one whose files are gone, is
 * enqueued again.
 * @param at - the queue
 * @param items - the items to compute
 * @param runDir - the run folder (the records are written there)
 * @param onQueued - told how many items were enqueued and how many were already on the queue
 * @throws EnvisionError `E_QUEUE` when Redis cannot be reached
 */
export async function startQueueExecutor(at: QueueLocation, items: readonly WorkItem[], runDir: string, onQueued?: (added: number, existing: number) => void): Promise<ItemExecutor> {
  await checkQueue(at);
  const queue = new Queue(QUEUE_NAME, { connection: connection(at) });
  const events = new QueueEvents(QUEUE_NAME, { connection: connection(at) });
  const progressOf = new Map<string, (fraction: number) => void>();
  events.on('progress', ({ jobId, data }) => {
    if (typeof data === 'number') progressOf.get(jobId)?.(data);
  });
  try {
    await events.waitUntilReady();
    const fresh: WorkItem[] = [];
    for (const item of items) {
      const job = await Job.fromId<WorkItem, ItemRecord>(queue, jobIdOf(item));
      if (job !== undefined) {
        const state = await job.getState();
        const record = job.returnvalue as ItemRecord | null | undefined;
        const reusable = state === 'completed' ? record != null && record.inputs === item.inputs && (await recordFilesIntact(runDir, record)) : state !== 'failed' && state !== 'unknown';
        if (reusable) continue;
        await job.remove().catch(() => undefined); // (an active job cannot be removed: its worker finishes it)
      }
      fresh.push(item);
    }
    await queue.addBulk(fresh.map((item) => ({ name: 'item', data: item, opts: { jobId: jobIdOf(item), ...JOB_OPTIONS } })));
    onQueued?.(fresh.length, items.length - fresh.length);
  } catch (e) {
    await Promise.all([events.close(), queue.close()]);
    throw e;
  }
  return {
    concurrency: Math.max(1, items.length),
    async compute(item, onProgress) {
      const id = jobIdOf(item);
      progressOf.set(id, onProgress);
      try {
        const job = await Job.fromId<WorkItem, ItemRecord>(queue, id);
        if (job === undefined) throw new Error(`job ${id} of item ${item.id} vanished from the queue`);
        let record: ItemRecord;
        try {
          record = await job.waitUntilFinished(events);
        } catch (e) {
          const attempts = (await Job.fromId(queue, id).catch(() => undefined))?.attemptsMade ?? JOB_OPTIONS.attempts;
          throw failureOf(e instanceof Error ? e.message : String(e), attempts);
        }
        // (the worker wrote it; written again for a job finished in an earlier submission, whose record a plain run forgot)
        await writeItemRecord(runDir, record);
        return record;
      } finally {
        progressOf.delete(id);
      }
    },
    async close() {
      await Promise.all([events.close(), queue.close()]);
    },
  };
}

/** How a queue worker's locks are tuned: how long a job's lock lasts, and how often stalled jobs are looked for. */
export interface QueueWorkerTuning {
  /** Milliseconds a job's lock lasts unless renewed (renewed every half of it); a killed worker's job is free after it. */
  readonly lockMs: number;
  /** Milliseconds between checks for stalled jobs (jobs whose lock expired): these go back to the queue. */
  readonly stalledMs: number;
}

/** The default tuning (60 s locks, stalled checks every 30 s), or `ENVISION_QUEUE_LOCK_MS` / `ENVISION_QUEUE_STALLED_MS`. */
export function workerTuning(env: NodeJS.ProcessEnv = process.env): QueueWorkerTuning {
  const ms = (v: string | undefined, fallback: number) => (v !== undefined && /^\d+$/.test(v) && Number(v) >= 100 ? Number(v) : fallback);
  return { lockMs: ms(env.ENVISION_QUEUE_LOCK_MS, 60_000), stalledMs: ms(env.ENVISION_QUEUE_STALLED_MS, 30_000) };
}

/**
 * Computes items from the queue in this process, one at a time, until `signal` aborts (then the item under way is
 * finished first). The experiment an item names is loaded on first use and kept while its items keep coming. Bad
 * input that concerns the whole run (an experiment or model this machine cannot load, an item planned from another
 * version of the experiment) fails the job at once, without retries, as `RUN CODE message` (the submitter stops the
 * run). Any other failure of an item (an image this machine cannot read or decode: on a shared folder it may be a
 * copy still arriving; an internal error) is retried with backoff, then reported; bad input as `CODE message`.
 * @param at - the queue
 * @param log - one line per event (ready, item done, item failed)
 * @param signal - stops the worker
 * @throws EnvisionError `E_QUEUE` when Redis cannot be reached at the start
 */
export async function runQueueWorker(at: QueueLocation, log: (line: string) => void, signal: AbortSignal): Promise<void> {
  await checkQueue(at);
  let loaded: { key: string; context: RunContext } | undefined;
  const contextFor = async (source: ExperimentSource): Promise<RunContext> => {
    const key = canonicalJson(source);
    if (loaded?.key === key) return loaded.context;
    await loaded?.context.dispose();
    loaded = undefined;
    const { experiment, registry, issues } = await loadExperimentWithPlugins(source.file, [...source.set]);
    if (experiment === undefined || registry === undefined) throw issuesError(issues);
    loaded = { key, context: await openRunContext(experiment, registry, runtimeVersions(), (m) => log(`warning: ${m}`)) };
    return loaded.context;
  };
  const tuning = workerTuning();
  const worker = new Worker<WorkItem, ItemRecord>(
    QUEUE_NAME,
    async (job) => {
      const item = job.data;
      const started = performance.now();
      log(`${item.id} started (attempt ${job.attemptsMade + 1})`);
      const attempt = job.attemptsMade + 1;
      let context: RunContext;
      try {
        context = await contextFor(item.experiment);
      } catch (e) {
        if (!isEnvisionError(e)) throw e;
        const line = `RUN ${e.code} ${e.message.split('\n')[0]}`;
        log(`${item.id} failed: ${line}`);
        throw new UnrecoverableError(line);
      }
      try {
        let last = 0;
        const record = await computeItem(context, item, (fraction) => {
          const now = Date.now();
          if (now - last < 250) return;
          last = now;
          job.updateProgress(fraction).catch(() => undefined);
        });
        await writeItemRecord(context.plan.output.dir, record);
        log(`${item.id} done (${Math.round(performance.now() - started)} ms, attempt ${attempt})`);
        return record;
      } catch (e) {
        const line = (isEnvisionError(e) ? `${stopsRun(e) ? 'RUN ' : ''}${e.code} ${e.message}` : e instanceof Error ? e.message : String(e)).split('\n')[0]!;
        log(`${item.id} failed (attempt ${attempt} of ${job.opts.attempts ?? 1}): ${line}`);
        if (stopsRun(e)) throw new UnrecoverableError(line);
        throw isEnvisionError(e) ? new Error(line) : e;
      }
    },
    { connection: connection(at), concurrency: 1, lockDuration: tuning.lockMs, stalledInterval: tuning.stalledMs, maxStalledCount: 2, autorun: false },
  );
  worker.on('error', (e) => log(`queue error: ${describeCause(e)}`));
  const stopped = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    await worker.waitUntilReady();
    log(`waiting for items on ${at.url} (queue ${QUEUE_NAME})`);
    void worker.run();
    await stopped;
    await worker.close();
  } finally {
    await worker.close(true).catch(() => undefined);
    await loaded?.context.dispose();
  }
}
