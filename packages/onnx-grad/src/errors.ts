/**
 * Error codes carried by every {@link EnvisionError}. A user-facing entry point maps any
 * `EnvisionError` to a one-line message and exit code 2.
 */
export type EnvisionErrorCode =
  | 'E_FILE' // a file is missing, unreadable or cannot be written
  | 'E_NPY' // an npy file is malformed
  | 'E_IMAGE' // an image cannot be decoded
  | 'E_ONNX' // an ONNX model cannot be loaded or run
  | 'E_PROVIDER' // an execution provider (cuda, tensorrt, …) cannot be loaded on this machine
  | 'E_INPUT' // a model input is missing, misnamed, or has the wrong shape or type
  | 'E_CONFIG' // an experiment or option fails validation
  | 'E_PLUGIN' // a plugin cannot be found, loaded or registered
  | 'E_USAGE' // a command line is malformed
  | 'E_METHOD' // an attribution method rejected its inputs
  | 'E_BUNDLE' // a model bundle is malformed
  | 'E_CHECK' // a plugin failed a check kit (checkMethod, checkFusion, checkAdapter)
  | 'E_QUEUE'; // a job queue (Redis, for envision run --queue and envision worker) cannot be reached

/** The one error class of Envision: a stable `code`, a one-line `message`, and the underlying `cause`. */
export class EnvisionError extends Error {
  /** Stable machine-readable code. */
  readonly code: EnvisionErrorCode;

  /**
   * @param code - what kind of failure this is
   * @param message - one line naming the file, field or node and what would be valid
   * @param cause - the underlying error, if any
   */
  constructor(code: EnvisionErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'EnvisionError';
    this.code = code;
  }
}

/** True when `e` is an {@link EnvisionError} (also across duplicated module instances). */
export function isEnvisionError(e: unknown): e is EnvisionError {
  return e instanceof EnvisionError || (e instanceof Error && e.name === 'EnvisionError' && 'code' in e);
}

/** A short description of an unknown thrown value, for the end of a one-line message. */
export function describeCause(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]!.trim();
}
