import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EnvisionError, type EnvisionErrorCode } from '@envision/onnx-grad';
import { type OverlayImage, type OverlayOptions, writeOverlayPng } from './overlay.js';
import type { Sign } from './normalize.js';

/** One overlay for the overlay thread: the map's shape and values, the options, and the PNG's path. */
export interface OverlayJob {
  readonly id: number;
  readonly path: string;
  readonly map: { readonly shape: readonly number[]; readonly data: Float32Array };
  readonly options: { readonly image?: OverlayImage | undefined; readonly sign?: Sign | undefined; readonly outlierPerc?: number | undefined; readonly alpha?: number | undefined };
}

/** The overlay thread's answer to a job: its id, and the error when it failed. */
export interface OverlayReply {
  readonly id: number;
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * Writes overlay PNGs ({@link writeOverlayPng}: rendered, then written atomically) on worker threads of their own, so
 * the colour mapping, blending and encoding leave the main thread — where onnxruntime's `run` computes, synchronously —
 * free for the next attribution. Each job goes to the thread with the fewest jobs waiting (two threads, one on a one-core
 * machine); the threads are shared by the process, started as needed, and do not keep the process alive. Where the
 * threads' compiled script is absent (the TypeScript sources under a test runner) the overlays are written on the
 * calling thread, with the same bytes.
 */
export class OverlayWriter {
  private static shared: OverlayWriter | undefined;
  private readonly threads: OverlayThread[] = [];
  private nextId = 0;

  /** @param size - threads at most */
  constructor(private readonly size = Math.min(2, availableParallelism())) {}

  /** The process's writer. */
  static get(): OverlayWriter {
    OverlayWriter.shared ??= new OverlayWriter();
    return OverlayWriter.shared;
  }

  /**
   * Renders an overlay and writes it to `path` atomically; resolves when the file is written.
   * @throws EnvisionError as {@link writeOverlayPng}
   */
  write(path: string, options: OverlayOptions): Promise<void> {
    const thread = this.thread();
    if (thread === undefined) return writeOverlayPng(path, options);
    const { map, ...rest } = options;
    // (a view is copied out: posting it would copy its whole buffer, e.g. every row of the maps)
    const data = map.data.byteLength === map.data.buffer.byteLength ? map.data : map.data.slice();
    return thread.run({ id: this.nextId++, path, map: { shape: map.shape, data }, options: rest });
  }

  private thread(): OverlayThread | undefined {
    for (let k = this.threads.length - 1; k >= 0; k--) if (this.threads[k]!.dead) this.threads.splice(k, 1);
    const idle = this.threads.find((t) => t.waiting === 0);
    if (idle !== undefined) return idle;
    if (this.threads.length < this.size) {
      const script = new URL('./overlay-thread.js', import.meta.url);
      if (!existsSync(fileURLToPath(script))) return undefined;
      const thread = new OverlayThread(script);
      this.threads.push(thread);
      return thread;
    }
    return this.threads.reduce((a, b) => (b.waiting < a.waiting ? b : a));
  }
}

/** One overlay thread and the jobs it has not answered yet. */
class OverlayThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  /** Set once the thread has died: its jobs failed, and the writer starts another. */
  dead = false;

  constructor(script: URL) {
    // (no execArgv: the thread loads the compiled packages, whatever export conditions the process was started with)
    this.worker = new Worker(script, { execArgv: [] });
    this.worker.unref();
    this.worker.on('message', (reply: OverlayReply) => {
      const waiting = this.pending.get(reply.id);
      if (waiting === undefined) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.error === undefined) waiting.resolve();
      else waiting.reject(new EnvisionError(reply.error.code as EnvisionErrorCode, reply.error.message));
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the overlay thread exited with code ${code}`)));
  }

  /** Jobs sent and not answered. */
  get waiting(): number {
    return this.pending.size;
  }

  run(job: OverlayJob): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.set(job.id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage(job);
    });
  }

  /** The thread died: every waiting job fails with the cause. */
  private fail(cause: Error): void {
    this.dead = true;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const w of waiting) w.reject(new EnvisionError('E_IMAGE', `cannot render overlays: ${cause.message}`, cause));
  }
}
