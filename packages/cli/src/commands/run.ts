import { EnvisionError, RunInterrupted, formatIssue, runExperiment, runtimeVersions, type RunItem } from '@envision/core';
import { relative } from 'node:path';
import cliProgress from 'cli-progress';
import { parseCommand, providerSets } from '../args.js';
import { loadExperimentWithPlugins } from '../experiment.js';
import type { CommandIO } from '../io.js';
import { startWorkers, workerCount } from '../run-workers.js';
import { checkQueue, parseQueueUrl, startQueueExecutor } from '../queue.js';

/** Help text of `envision run`. */
export const runHelp = `Usage: envision run FILE [--set key.path=value …] [--ep LIST] [--json] [--resume | --fresh] [--keep-going]
    [--workers N | --queue URL]

Runs a YAML experiment. For each image × method × target it writes the raw maps (IMAGE/METHOD/TARGET.npy, float32
[K, C, H, W]), one overlay PNG per map row and sign, and finally manifest.json in the output folder. Files an
earlier run listed in its manifest there, and this run did not write again, are deleted; other files are left alone.
The run holds the folder while it runs (.envision-run.lock; a second run into it exits 2) and moves the earlier
manifest aside first; a run stopped by bad input removes what it wrote. Nothing is written through a symbolic link
that leads out of the folder.
Each finished image × method is recorded in the folder's journal (.envision-journal/). Ctrl-C stops the run once the
items under way are done (exit 130); a run stopped in any way is continued with --resume. A plain run into a folder
holding an unfinished run exits 2.
An image × method that fails (at once here or in a --workers process; after 3 attempts on a queue) is reported in
one line naming it and the cause, recorded in the journal and in the manifest's "failed", and the run goes on: the
other items are computed and the figures, manifest and report written. The run then exits 2 when every failure was
bad input (an image that cannot be read or decoded, …), 1 otherwise; --resume retries the failed items. Bad input
that concerns the whole run (the experiment, its plugins, its model) stops it at once, exit 2.
  --set key.path=value   override a field of the file (validated the same way; plugins cannot be set); repeatable
  --ep LIST              onnxruntime execution providers in order, e.g. cuda,cpu: sets model.executionProviders (cpu listed = fall back to it)
  --json                 print one JSON line per finished item, then one for the manifest (no progress bar)
  --resume               continue the run in the folder: keep each image × method whose record and files are intact
                         and whose inputs (model, method, targets, output settings, image bytes, versions) are
                         unchanged; compute the rest; then write the figures, manifest and report
  --fresh                start over in a folder holding an unfinished run (its journal is forgotten)
  --keep-going           an item that fails (an image that does not decode, a method that fails on one image) fails
                         alone: reported in one line, recorded (manifest failed, journal; --resume retries it), the
                         rest computed and collected, exit 2 (1 for an internal error); always so with --queue.
                         Without it the first failure stops the run and what it wrote is taken back
  --workers N            compute items in N worker processes, each with cores/N onnxruntime threads (default 1:
                         in this process); the files are the same as with one process
  --queue URL            enqueue the items on the BullMQ queue at redis://HOST:PORT[/DB] (one job per image × method,
                         its id derived from the item, so a re-submitted run adds no job twice), wait for envision
                         worker --queue URL processes (on any machine that sees the experiment's files at the same
                         paths) to compute them, with progress here, then write the figures, manifest and report.
                         Ctrl-C leaves the jobs queued; --resume re-submits and collects`;

/** `envision run FILE`. */
export async function runCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommand(
    'run',
    argv,
    { set: { type: 'string', multiple: true }, ep: { type: 'string' }, json: { type: 'boolean' }, resume: { type: 'boolean' }, fresh: { type: 'boolean' }, 'keep-going': { type: 'boolean' }, workers: { type: 'string' }, queue: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) {
    io.stdout(runHelp + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new EnvisionError('E_USAGE', `give exactly one experiment file, got ${positionals.length} (see envision run --help)`);
  const file = positionals[0]!;
  if (values.resume === true && values.fresh === true) throw new EnvisionError('E_USAGE', 'give --resume or --fresh, not both');
  const workers = workerCount(values.workers);
  if (values.queue !== undefined && values.workers !== undefined) throw new EnvisionError('E_USAGE', 'give --workers or --queue, not both');
  const queue = values.queue === undefined ? undefined : parseQueueUrl(values.queue);
  const sets = [...(values.set ?? []), ...providerSets(values.ep)];
  const { experiment, registry, issues } = await loadExperimentWithPlugins(file, sets);
  if (experiment === undefined || registry === undefined) {
    for (const issue of issues) io.stderr(formatIssue(issue) + '\n');
    return 2;
  }
  // An unreachable queue is said before the run takes the folder.
  if (queue !== undefined) await checkQueue(queue);
  // (The output folder is created, checked and locked by the run itself, and removed again if the run leaves it empty.)
  const json = values.json === true;
  const bar = !json && io.isTTY ? new cliProgress.SingleBar({ format: 'envision run [{bar}] {percentage}% | {value}/{total} maps | {item}', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic) : undefined;
  let started = false;
  // Ctrl-C: stop at the next item boundary (a second Ctrl-C stops at once; --resume continues either way).
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted || queue !== undefined) {
      // (with --queue the items stay queued for the workers; the folder is left for --resume)
      if (queue !== undefined) io.stderr(`\nenvision run: stopped waiting; the queued items stay on ${queue.url}; envision run ${file} --queue ${queue.url} --resume collects them\n`);
      process.exit(130);
    }
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  const source = { file: experiment.configFile, set: sets };
  let result: Awaited<ReturnType<typeof runExperiment>>;
  try {
    result = await runExperiment(
      experiment,
      registry,
      runtimeVersions(),
      {
        onProgress(done, total) {
          if (bar === undefined) return;
          if (!started) {
            bar.start(total, 0, { item: '' });
            started = true;
          }
          bar.update(Math.floor(done * 100) / 100);
        },
        onWarning(message) {
          io.stderr(`envision: warning: ${message}\n`);
        },
        onPlan(items, resumed) {
          if (resumed === 0) return;
          if (json) io.stdout(JSON.stringify({ event: 'resume', items, resumed }) + '\n');
          else io.stderr(`envision run: resuming: ${resumed} of ${items} items (image × method) already done\n`);
        },
        onFailure(failure) {
          if (json) io.stdout(JSON.stringify({ event: 'failed', ...failure }) + '\n');
        },
        onItem(item: RunItem, done, total) {
          if (json) io.stdout(JSON.stringify({ event: 'item', done, total, ...item, dir: experiment.output.dir }) + '\n');
          else bar?.update(done, { item: `${item.image} ${item.method} ${item.target}` });
        },
      },
      {
        resume: values.resume === true,
        fresh: values.fresh === true,
        keepGoing: values['keep-going'] === true || queue !== undefined,
        signal: stop.signal,
        source,
        ...(workers > 1 ? { executor: () => startWorkers(workers, source) } : {}),
        ...(queue !== undefined
          ? {
              executor: (items) =>
                startQueueExecutor(queue, items, experiment.output.dir, (added, existing) => {
                  if (json) io.stdout(JSON.stringify({ event: 'queued', queue: queue.url, added, existing }) + '\n');
                  else io.stderr(`envision run: ${added} items enqueued on ${queue.url}${existing > 0 ? ` (${existing} already there)` : ''}; waiting for envision worker --queue ${queue.url}\n`);
                }),
            }
          : {}),
      },
    );
  } catch (e) {
    if (!(e instanceof RunInterrupted)) throw e;
    bar?.stop();
    io.stderr(`envision run: ${e.message}; envision run ${file} --resume completes the run\n`);
    return 130;
  } finally {
    process.off('SIGINT', onSigint);
  }
  const { manifest, manifestPath, reportPath, staleRemoved, failed } = result;
  bar?.stop();
  const overlays = manifest.items.reduce((n, i) => n + i.overlays.length, 0);
  // Some items failed: exit 2 when each was bad input (the user can fix it), 1 when any failed for another reason.
  const code = failed.length === 0 ? 0 : failed.every((f) => f.code !== undefined) ? 2 : 1;
  if (json) io.stdout(JSON.stringify({ event: 'done', manifest: manifestPath, report: reportPath, items: manifest.items.length, overlays, ...(failed.length > 0 ? { failed: failed.length } : {}), ms: Math.round(manifest.timings.totalMs) }) + '\n');
  else {
    for (const f of failed) io.stderr(`envision run: item ${f.item} failed: ${f.message}\n`);
    const retry = failed.length > 0 ? `; ${failed.length} failed, envision run ${file} --resume retries them` : '';
    io.stderr(`envision run: ${manifest.items.length} map sets, ${overlays} overlays in ${relative(process.cwd(), experiment.output.dir) || '.'}; report ${relative(process.cwd(), reportPath)} (${(manifest.timings.totalMs / 1000).toFixed(1)} s)${staleRemoved.length > 0 ? `; removed ${staleRemoved.length} files of an earlier run` : ''}${retry}\n`);
  }
  return code;
}
