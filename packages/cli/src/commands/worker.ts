import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EnvisionError } from '@envision/core';
import { parseCommand } from '../args.js';
import type { CommandIO } from '../io.js';
import { QUEUE_NAME, checkQueue, parseQueueUrl, runQueueWorker } from '../queue.js';
import { MAX_WORKERS, threadsPerWorker } from '../run-workers.js';

/** Help text of `envision worker`. */
export const workerHelp = `Usage: envision worker --queue redis://HOST:PORT[/DB] [--concurrency N]

Computes the items (image × method) that envision run FILE --queue URL enqueues, on this machine, until stopped
(Ctrl-C or SIGTERM: the items under way are finished first). Each item names its experiment file and --sets: this
machine must see the experiment, its images and its model at the same paths, and write to its output folder (a
shared folder). An experiment or model it cannot load fails at once and stops the run (one line on the run's
terminal, exit 2 there); an item that fails otherwise (an image it cannot read or decode, an internal error) is
retried with backoff, 3 attempts in all, then reported by the run, which goes on with the other items. A worker killed mid-item loses nothing: another worker takes the item over
once its lock has expired (60 s; ENVISION_QUEUE_LOCK_MS, ENVISION_QUEUE_STALLED_MS tune it).
  --queue URL        the Redis server holding the queue (${QUEUE_NAME})
  --concurrency N    compute N items at once, in N processes with cores/N onnxruntime threads each (default 1)`;

/** `envision worker --queue URL [--concurrency N]`. */
export async function workerCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommand('worker', argv, { queue: { type: 'string' }, concurrency: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, false);
  if (values.help) {
    io.stdout(workerHelp + '\n');
    return 0;
  }
  if (positionals.length > 0) throw new EnvisionError('E_USAGE', 'envision worker takes no file (see envision worker --help)');
  if (values.queue === undefined) throw new EnvisionError('E_USAGE', 'give --queue redis://HOST:PORT[/DB] (see envision worker --help)');
  const at = parseQueueUrl(values.queue);
  const c = values.concurrency;
  if (c !== undefined && (!/^\d+$/.test(c) || Number(c) < 1 || Number(c) > MAX_WORKERS)) throw new EnvisionError('E_USAGE', `--concurrency must be an integer from 1 to ${MAX_WORKERS}, got '${c}'`);
  const n = c === undefined ? 1 : Number(c);
  await checkQueue(at);
  const log = (line: string) => io.stderr(`envision worker: ${line}\n`);
  if (n === 1) {
    const stop = new AbortController();
    const onSignal = () => {
      if (stop.signal.aborted) process.exit(130);
      log('stopping after the item under way');
      stop.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await runQueueWorker(at, log, stop.signal);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return 0;
  }
  // N processes, each one queue worker with its own onnxruntime sessions (as envision run --workers N).
  const script = fileURLToPath(new URL('../queue-worker.js', import.meta.url));
  const children = Array.from({ length: n }, (_, k) => fork(script, [at.url, String(threadsPerWorker(n)), String(k + 1)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  const forward = (signal: NodeJS.Signals) => () => {
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    const codes = await Promise.all(children.map((child) => new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)))));
    return Math.max(...codes);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
