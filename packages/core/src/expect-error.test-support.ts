// Test support (not built, not shipped): capture the EnvisionError a call throws or a promise rejects with.
import { isEnvisionError } from '@envision/onnx-grad';

/** The code and message of the EnvisionError `f` throws; fails when it throws something else or nothing. */
export function caught(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (isEnvisionError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected an EnvisionError');
}

/** The code and message of the EnvisionError `p` rejects with; fails when it rejects with something else or resolves. */
export async function rejected(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isEnvisionError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected an EnvisionError');
}
