import { EnvisionError, describeCause } from '@envision/onnx-grad';

/** One check of a kit: its name, whether it passed, and what was measured. */
export interface CheckResult {
  /** What was checked, e.g. `maps`, `linear`, `vjp`; named in the kit's error when it fails. */
  readonly name: string;
  /** False when the plugin failed this check. Checks that do not apply pass and say why in `detail`. */
  readonly ok: boolean;
  /** What was measured (an error against its tolerance, a shape), or why the check did not apply. */
  readonly detail: string;
}

/**
 * The results of one kit as they are gathered: each check is recorded once, and the first error a plugin threw is
 * kept as the cause of the kit's error.
 */
export class CheckLog {
  readonly results: CheckResult[] = [];
  private cause: unknown;

  /** Records a check. */
  add(name: string, ok: boolean, detail: string): void {
    this.results.push({ name, ok, detail });
  }

  /** Records a check that failed because the plugin (or the model) threw `error`. */
  threw(name: string, what: string, error: unknown): void {
    this.cause ??= error;
    this.add(name, false, `${what} threw: ${describeCause(error)}`);
  }

  /** Records check `name` as failed because an earlier step it needs failed, unless it is already recorded. */
  notChecked(name: string, because: string): void {
    if (!this.results.some((r) => r.name === name)) this.add(name, false, `not checked: ${because}`);
  }

  /**
   * Runs `body` and records a failed check named `name` if it throws.
   * @returns the body's value, or undefined when it threw
   */
  async attempt<T>(name: string, what: string, body: () => Promise<T> | T): Promise<T | undefined> {
    try {
      return await body();
    } catch (e) {
      this.threw(name, what, e);
      return undefined;
    }
  }

  /**
   * Ends a kit: returns the results when every check passed.
   * @param subject - names the kit and plugin in the message, e.g. `checkMethod(saliency)`
   * @throws EnvisionError `E_CHECK` listing each failed check as `name: detail`, with the first error the plugin threw as cause
   */
  finish(subject: string): CheckResult[] {
    const failed = this.results.filter((r) => !r.ok);
    if (failed.length > 0) {
      throw new EnvisionError('E_CHECK', `${subject} failed ${failed.length} of ${this.results.length} checks: ${failed.map((r) => `${r.name}: ${r.detail}`).join('; ')}`, this.cause);
    }
    return this.results;
  }
}
