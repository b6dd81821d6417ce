import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { EnvisionError, stoppingRun, type EnvisionErrorCode, type ExperimentSource, type ItemExecutor, type ItemRecord, type WorkItem } from '@envision/core';

/** What the parent sends a worker: the experiment to load (once), then items. */
export type ParentMessage = { type: 'init'; source: ExperimentSource; threads: number } | { type: 'item'; item: WorkItem };
/** What a worker answers: ready, progress of an item, its record, or one line of error (with the error's code when it is bad input). */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; id: string; fraction: number }
  | { type: 'done'; id: string; record: ItemRecord }
  | { type: 'error'; id?: string; code?: string | undefined; message: string };

/** The most worker processes `--workers` accepts. */
export const MAX_WORKERS = 64;

/**
 * Parses `--workers N`.
 * @throws EnvisionError `E_USAGE` for anything but an integer from 1 to {@link MAX_WORKERS}
 */
export function workerCount(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_WORKERS) throw new EnvisionError('E_USAGE', `--workers must be an integer from 1 to ${MAX_WORKERS}, got '${value}'`);
  return n;
}

/** onnxruntime threads per worker, so that N workers together use the machine's cores and no more. */
export function threadsPerWorker(workers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / workers));
}

/** The error a worker's message stands for: an EnvisionError (exit 2) when it carried a code, else an internal error. */
function errorOf(message: { code?: string | undefined; message: string }): Error {
  return message.code !== undefined ? new EnvisionError(message.code as EnvisionErrorCode, message.message) : new Error(message.message);
}

/**
 * Starts `n` worker processes (node:child_process `fork` of the built `run-worker.js`), each loading the experiment
 * from `source` with its own onnxruntime sessions and {@link threadsPerWorker} threads, and gives the run an executor
 * that sends each item to an idle worker. A worker that dies fails the item it was computing (the run goes on with
 * the other workers); when none is left, the run stops.
 * @param n - worker processes
 * @param source - the experiment's file and `--set`s
 * @returns the executor (its `close` disconnects the workers)
 * @throws EnvisionError from a worker's loading of the experiment (bad input), or Error when a worker cannot start
 */
export async function startWorkers(n: number, source: ExperimentSource): Promise<ItemExecutor> {
  const script = fileURLToPath(new URL('./run-worker.js', import.meta.url));
  const threads = threadsPerWorker(n);
  interface Slot {
    child: ChildProcess;
    busy?: { id: string; resolve(record: ItemRecord): void; reject(e: Error): void; progress(fraction: number): void };
  }
  const slots: Slot[] = [];
  const idle: Slot[] = [];
  const waiting: { resolve(slot: Slot): void; reject(e: Error): void }[] = [];
  let alive = n;
  const release = (slot: Slot) => {
    const next = waiting.shift();
    if (next) next.resolve(slot);
    else idle.push(slot);
  };
  let closing = false;
  const close = async () => {
    closing = true;
    for (const { child } of slots) if (child.connected) child.disconnect();
    await Promise.all(slots.map(({ child }) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((r) => child.once('exit', r)))));
  };
  try {
    await Promise.all(
      Array.from({ length: n }, (_, k) => {
        const child = fork(script, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
        const slot: Slot = { child };
        slots.push(slot);
        return new Promise<void>((resolve, reject) => {
          child.on('message', (message: WorkerMessage) => {
            if (message.type === 'ready') {
              idle.push(slot);
              resolve();
            } else if (message.type === 'error' && message.id === undefined) reject(errorOf(message));
            else if (slot.busy !== undefined && 'id' in message && message.id === slot.busy.id) {
              const busy = slot.busy;
              if (message.type === 'progress') busy.progress(message.fraction);
              else {
                slot.busy = undefined;
                if (message.type === 'done') busy.resolve(message.record);
                else busy.reject(errorOf(message));
                release(slot);
              }
            }
          });
          child.once('exit', (code, signal) => {
            const why = `worker ${k + 1} (pid ${child.pid}) exited with ${signal ?? `code ${code}`}`;
            reject(new Error(why));
            if (slot.busy !== undefined) slot.busy.reject(new Error(`${why} while computing ${slot.busy.id}`));
            const at = idle.indexOf(slot);
            if (at >= 0) idle.splice(at, 1); // the other workers take the remaining items
            if (--alive === 0 && !closing) for (const w of waiting.splice(0)) w.reject(noneLeft());
          });
          child.send({ type: 'init', source, threads } satisfies ParentMessage);
        });
      }),
    );
  } catch (e) {
    await close();
    throw e;
  }
  const noneLeft = () => stoppingRun(new Error(`all ${n} worker processes exited`));
  return {
    concurrency: n,
    async compute(item, onProgress) {
      if (alive === 0) throw noneLeft();
      const slot = idle.pop() ?? (await new Promise<Slot>((resolve, reject) => waiting.push({ resolve, reject })));
      return new Promise<ItemRecord>((resolve, reject) => {
        slot.busy = { id: item.id, resolve, reject, progress: onProgress };
        slot.child.send({ type: 'item', item } satisfies ParentMessage);
      });
    },
    close,
  };
}
