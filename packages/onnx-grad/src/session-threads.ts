/** Threads per operator for sessions whose options name none; set once per process (a parallel run's workers). */
let processThreads: number | undefined;

/**
 * Sets the `intraOpNumThreads` of every onnxruntime session this process creates from now on whose options do not
 * name one (forward models, gradient models, probes excluded). A parallel run gives each of its worker processes
 * `cores / workers` threads this way, whatever adapter loads the models.
 * @param threads - threads per operator (an integer ≥ 1), or `undefined` for onnxruntime's own default (all cores)
 */
export function setDefaultIntraOpNumThreads(threads: number | undefined): void {
  processThreads = threads;
}

/** The `intraOpNumThreads` session option: the model's own, else the process default, else none (onnxruntime's). */
export function intraOpThreadsOption(own: number | undefined): { intraOpNumThreads?: number } {
  const threads = own ?? processThreads;
  return threads === undefined ? {} : { intraOpNumThreads: threads };
}
