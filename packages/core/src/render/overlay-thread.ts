import { parentPort } from 'node:worker_threads';
import { EnvisionError, describeCause, tensor } from '@envision/onnx-grad';
import { writeOverlayPng } from './overlay.js';
import type { OverlayJob, OverlayReply } from './overlay-writer.js';

// The overlay thread of {@link OverlayWriter}: renders each job's overlay and writes the PNG atomically
// (writeOverlayPng), one job at a time, replying with the job's id and the error, if any, as code and message.
parentPort!.on('message', (job: OverlayJob) => {
  void (async (): Promise<OverlayReply> => {
    try {
      await writeOverlayPng(job.path, { ...job.options, map: tensor('float32', job.map.shape, job.map.data) });
      return { id: job.id };
    } catch (e) {
      return { id: job.id, error: { code: e instanceof EnvisionError ? e.code : 'E_IMAGE', message: e instanceof Error ? e.message : describeCause(e) } };
    }
  })().then((reply) => parentPort!.postMessage(reply));
});
