// A worker process of `envision run --workers N` (forked by run-workers.ts): it loads the experiment itself (its file
// and --sets), with `intraOpNumThreads` given by the parent, and computes the items the parent sends, one at a time,
// writing each item's files and journal record. Messages are JSON over the IPC channel (see run-workers.ts).
import { EnvisionError, computeItem, isEnvisionError, openRunContext, runtimeVersions, setDefaultIntraOpNumThreads, writeItemRecord } from '@envision/core';
import { issuesError, loadExperimentWithPlugins } from './experiment.js';
import type { ParentMessage, WorkerMessage } from './run-workers.js';

const send = (message: WorkerMessage) => process.send?.(message);
/** One line for the parent: what went wrong, and whether it is bad input (exit 2) or an internal error (exit 1). */
const failure = (e: unknown, id?: string): WorkerMessage => ({
  type: 'error',
  ...(id === undefined ? {} : { id }),
  code: isEnvisionError(e) ? e.code : undefined,
  message: isEnvisionError(e) ? e.message.split('\n')[0]! : e instanceof Error ? (e.stack ?? e.message) : String(e),
});

// Ctrl-C reaches the whole process group: the parent decides when to stop (at an item boundary), not the worker.
process.on('SIGINT', () => undefined);
// The parent gone (killed, or done): stop at once. Files are written atomically and a record only after its files.
process.on('disconnect', () => process.exit(0));

let context: Awaited<ReturnType<typeof openRunContext>> | undefined;
process.on('message', (message: ParentMessage) => {
  void (async () => {
    if (message.type === 'init') {
      try {
        setDefaultIntraOpNumThreads(message.threads);
        const { experiment, registry, issues } = await loadExperimentWithPlugins(message.source.file, message.source.set);
        if (experiment === undefined || registry === undefined) throw issuesError(issues);
        context = await openRunContext(experiment, registry, runtimeVersions());
        send({ type: 'ready' });
      } catch (e) {
        send(failure(e));
      }
    } else if (message.type === 'item') {
      const { item } = message;
      try {
        if (context === undefined) throw new EnvisionError('E_USAGE', 'worker not initialised');
        let last = 0;
        const record = await computeItem(context, item, (fraction) => {
          const now = Date.now();
          if (now - last < 200) return;
          last = now;
          send({ type: 'progress', id: item.id, fraction });
        });
        await writeItemRecord(context.plan.output.dir, record);
        send({ type: 'done', id: item.id, record });
      } catch (e) {
        send(failure(e, item.id));
      }
    }
  })();
});
