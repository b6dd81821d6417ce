import { createRequire } from 'node:module';
import { onnxRuntimeVersion } from '@envision/onnx-grad';
import { packageVersion } from './plugin-loader.js';

const require = createRequire(import.meta.url);

function versionOf(pkg: string): string {
  try {
    return packageVersion(require.resolve(pkg), pkg);
  } catch {
    return 'unknown';
  }
}

/** Versions of the runtime pieces results depend on, for run manifests: Node, core, onnxruntime-node, sharp. */
export function runtimeVersions(): Record<string, string> {
  return {
    node: process.versions.node,
    '@envision/core': versionOf('@envision/core'),
    'onnxruntime-node': onnxRuntimeVersion(),
    sharp: versionOf('sharp'),
  };
}
