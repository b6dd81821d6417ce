// In-process runs of the CLI for the fuzz test: `main(argv, io)` returns the exit code without spawning node, so a
// few hundred cases fit in well under a minute. Writes that bypass `io` (console.*, process.stderr.write) are
// captured too: the binary would print them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { main } from '@envision/cli';
import { parseNpy } from '@envision/core';

/** What one in-process invocation did. */
export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  /** Set when main itself threw or did not finish in time (the binary would crash or hang). */
  crash?: string;
}

const CONSOLE = ['log', 'info', 'debug', 'warn', 'error', 'trace'] as const;

/** Runs `envision ...args` in this process, with a time limit. */
export async function runInProcess(args: readonly string[], timeoutMs: number): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const saved = CONSOLE.map((k) => console[k]);
  const savedWrite = process.stderr.write;
  const savedExitCode = process.exitCode;
  for (const k of CONSOLE) console[k] = (...a: unknown[]) => void (stderr += a.map(String).join(' ') + '\n');
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  let timer: NodeJS.Timeout | undefined;
  try {
    const code = await Promise.race([
      main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no exit after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    // let deferred output (process warnings are emitted on a later tick) land in this case
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    if (process.exitCode !== savedExitCode) return { code, stdout, stderr, crash: `process.exitCode set to ${process.exitCode}` };
    return { code, stdout, stderr };
  } catch (e) {
    return { code: -1, stdout, stderr, crash: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  } finally {
    clearTimeout(timer);
    CONSOLE.forEach((k, i) => (console[k] = saved[i] as never));
    process.stderr.write = savedWrite;
    process.exitCode = savedExitCode;
  }
}

/** Every file (not folder) under `dir`, relative to it. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Checks an .npy output: parses, float32, the expected rank (and any fixed sizes: -1 is any), finite.
 * @returns a problem, or undefined
 */
export function checkNpy(file: string, shape: readonly number[]): string | undefined {
  let t;
  try {
    t = parseNpy(readFileSync(file), file);
  } catch (e) {
    return `output does not parse: ${String(e)}`;
  }
  if (t.dtype !== 'float32') return `output is ${t.dtype}, not float32`;
  if (t.shape.length !== shape.length || shape.some((s, i) => s !== -1 && s !== t.shape[i])) return `output shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`;
  if (t.shape.some((s) => s <= 0)) return `output has an empty axis [${t.shape.join(', ')}]`;
  const data = t.data as Float32Array;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return `output element ${i} is ${data[i]}`;
  return undefined;
}

/** How a case ended, against the promise. */
export interface Verdict {
  outcome: 0 | 2 | 'fail';
  /** Why it broke the promise. */
  problem?: string;
}

/**
 * The CLI's promise for one case: exit 0 with a valid output, or exit 2 with one line on stderr (no stack trace, no
 * "internal error") and nothing written in the output folder (`allowed` lists the folder's own inputs).
 * @param validOutput - checks the output after exit 0 (a problem, or undefined)
 * @param issueLines - also accept, on exit 2, several lines when each is one `FILE:LINE:COL path message` issue
 */
export function judge(
  r: Outcome,
  outDir: string,
  allowed: readonly string[],
  validOutput: () => string | undefined,
  issueLines = false,
): Verdict {
  if (r.crash !== undefined) return { outcome: 'fail', problem: `crash: ${r.crash}` };
  const written = filesUnder(outDir).filter((f) => !allowed.includes(f));
  if (r.code === 0) {
    const problem = validOutput();
    if (problem !== undefined) return { outcome: 'fail', problem: `exit 0 but ${problem}` };
    const temp = written.filter((f) => /\.tmp|~$|\.partial/i.test(f));
    if (temp.length > 0) return { outcome: 'fail', problem: `exit 0 but temporary files left: ${temp.join(', ')}` };
    return { outcome: 0 };
  }
  if (r.code !== 2) return { outcome: 'fail', problem: `exit ${r.code}` };
  const lines = r.stderr.replace(/\n$/, '').split('\n');
  if (r.stderr.trim() === '') return { outcome: 'fail', problem: 'exit 2 with nothing on stderr' };
  if (/internal error|\n\s+at |^\s+at /.test(r.stderr)) return { outcome: 'fail', problem: 'exit 2 with a stack trace or internal error' };
  if (lines.length !== 1 && !(issueLines && lines.every((l) => /^.+:\d+:\d+ \S/.test(l)))) return { outcome: 'fail', problem: `exit 2 with ${lines.length} lines on stderr` };
  if (written.length > 0) return { outcome: 'fail', problem: `exit 2 but files were written: ${written.slice(0, 5).join(', ')}` };
  return { outcome: 2 };
}
