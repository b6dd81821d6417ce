/**
 * Work that may run behind the caller's next steps: each job starts on a later turn of the event loop, at most
 * `concurrency` at a time, in the order queued; `drain` waits for all of them and rethrows the first failure. A run
 * queues its overlays here (drawn on the overlay threads, see OverlayWriter, while the main thread goes on to the next
 * attribution — onnxruntime-node computes synchronously on the main thread, so only work on other threads overlaps it)
 * and its figures (composed by sharp on its own threads).
 */
export class BackgroundJobs {
  private readonly waiting: (() => Promise<void>)[] = [];
  private running = 0;
  private failure: { error: unknown } | undefined;
  private idle: (() => void)[] = [];

  /** @param concurrency - jobs running at once (≥ 1) */
  constructor(private readonly concurrency = 2) {}

  /** Queues a job; its failure is kept for {@link BackgroundJobs.drain}, and jobs queued after a failure never start. */
  add(job: () => Promise<void>): void {
    this.waiting.push(job);
    this.pump();
  }

  /** Waits until every queued job has finished; rethrows the first failure. */
  async drain(): Promise<void> {
    while (this.running > 0 || this.waiting.length > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    if (this.failure !== undefined) throw this.failure.error;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running++;
      setImmediate(() => {
        const run = this.failure === undefined ? job() : Promise.resolve();
        run
          .catch((e: unknown) => {
            this.failure ??= { error: e };
          })
          .finally(() => {
            this.running--;
            this.pump();
            if (this.running === 0 && this.waiting.length === 0) for (const resolve of this.idle.splice(0)) resolve();
          });
      });
    }
  }
}
