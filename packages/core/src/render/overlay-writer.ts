import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EnvisionError, type EnvisionErrorCode, writeFileAtomic } from '@envision/onnx-grad';
import { type OverlayImage, type OverlayOptions, renderOverlay } from './overlay.js';
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
 * Writes overlay PNGs ({@link renderOverlay}, then an atomic write) on a worker thread of its own, so the colour
 * mapping, blending and encoding leave the main thread — where onnxruntime's `run` computes, synchronously — free for
 * the next attribution. Jobs run one at a time in the order given; the thread is shared by the process, started on
 * the first job, and does not keep the process alive. Where the thread's compiled script is absent (the TypeScript
 * sources under a test runner) the overlays are written on the calling thread, with the same bytes.
 */
export class OverlayWriter {
  private static shared: OverlayWriter | undefined;
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  /** The process's writer. */
  static get(): OverlayWriter {
    OverlayWriter.shared ??= new OverlayWriter();
    return OverlayWriter.shared;
  }

  /**
   * Renders an overlay and writes it to `path` atomically; resolves when the file is written.
   * @throws EnvisionError as {@link renderOverlay} and `E_FILE` when the file cannot be written
   */
  write(path: string, options: OverlayOptions): Promise<void> {
    const worker = this.thread();
    if (worker === undefined) return renderOverlay(options).then((bytes) => writeFileAtomic(path, bytes));
    const id = this.nextId++;
    const { map, ...rest } = options;
    // (a view is copied out: posting it would copy its whole buffer, e.g. every row of the maps)
    const data = map.data.byteLength === map.data.buffer.byteLength ? map.data : map.data.slice();
    const job: OverlayJob = { id, path, map: { shape: map.shape, data }, options: rest };
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage(job);
    });
  }

  private thread(): Worker | undefined {
    if (this.worker !== undefined) return this.worker;
    const script = new URL('./overlay-thread.js', import.meta.url);
    if (!existsSync(fileURLToPath(script))) return undefined;
    // (no execArgv: the thread loads the compiled packages, whatever export conditions the process was started with)
    const worker = new Worker(script, { execArgv: [] });
    worker.unref();
    worker.on('message', (reply: OverlayReply) => {
      const waiting = this.pending.get(reply.id);
      if (waiting === undefined) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.error === undefined) waiting.resolve();
      else waiting.reject(new EnvisionError(reply.error.code as EnvisionErrorCode, reply.error.message));
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`the overlay thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  /** The thread died: every waiting job fails with the cause, and the next job starts a new thread. */
  private fail(cause: Error): void {
    this.worker = undefined;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const w of waiting) w.reject(new EnvisionError('E_IMAGE', `cannot render overlays: ${cause.message}`, cause));
  }
}
