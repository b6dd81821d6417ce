// One of the N processes of `envision worker --concurrency N` (forked by commands/worker.ts): a queue worker with its
// own onnxruntime sessions. Arguments: the queue URL, onnxruntime threads, the process's number. It stops after the
// item under way on SIGINT or SIGTERM, and at once when its parent is gone (another worker takes the item over).
import { setDefaultIntraOpNumThreads } from '@envision/core';
import { parseQueueUrl, runQueueWorker } from './queue.js';

const [url = '', threads = '1', k = '1'] = process.argv.slice(2);
setDefaultIntraOpNumThreads(Number(threads));
const stop = new AbortController();
const onSignal = () => (stop.signal.aborted ? process.exit(130) : stop.abort());
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('disconnect', () => process.exit(0));
runQueueWorker(parseQueueUrl(url), (line) => process.stderr.write(`envision worker ${k}: ${line}\n`), stop.signal).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`envision worker ${k}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    process.exit(2);
  },
);
