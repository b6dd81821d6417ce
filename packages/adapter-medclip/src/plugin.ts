import { resolve } from 'node:path';
import { type AdapterPlugin, EnvisionError } from '@envision/core';
import { MedClipAdapter } from './adapter.js';
import { DEFAULT_LIMIT_INPUT_PIXELS } from '@envision/image';

/** Options of the `medclip` adapter: the fields of an experiment's `model` besides `adapter`. */
export interface MedClipPluginOptions {
  /** The bundle folder, relative to the experiment file's folder. */
  readonly bundle: string;
  /**
   * Largest image accepted, in pixels (width × height).
   * @default 100_000_000
   */
  readonly limitInputPixels?: number;
}

/** The `medclip` adapter plugin: loads a {@link MedClipAdapter} from a bundle folder. */
export const medclipAdapterPlugin: AdapterPlugin<MedClipPluginOptions> = {
  meta: {
    id: 'medclip',
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        bundle: { type: 'string', description: 'MedCLIP bundle folder (holding envision.json), relative to the experiment file' },
        limitInputPixels: {
          type: 'integer',
          minimum: 1,
          default: DEFAULT_LIMIT_INPUT_PIXELS,
          description: 'largest image accepted, in pixels (width × height)',
        },
      },
      required: ['bundle'],
    },
    description: 'MedCLIP (Wang et al. 2022) dual encoder exported to ONNX, from an Envision bundle folder',
  },
  async load(options, { baseDir, executionProviders }) {
    if (typeof options.bundle !== 'string' || options.bundle === '') {
      throw new EnvisionError('E_CONFIG', `adapter medclip: option bundle must be a folder path, got ${JSON.stringify(options.bundle)}`);
    }
    const limit = options.limitInputPixels;
    return MedClipAdapter.load(resolve(baseDir, options.bundle), { ...(limit === undefined ? {} : { limitInputPixels: limit }), ...(executionProviders === undefined ? {} : { executionProviders }) });
  },
};
