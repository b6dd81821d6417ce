import { definePlugins } from '../plugins.js';
import { dotFusion } from './dot.js';
import { cosineFusion } from './cosine.js';
import { softmaxFusion } from './softmax.js';
import { sigmoidFusion } from './sigmoid.js';
import { contrastFusion } from './contrast.js';
import { maxFusion, meanFusion } from './ensemble.js';

export { dotFusion, normalizeRows, type DotFusionOptions } from './dot.js';
export { cosineFusion } from './cosine.js';
export { softmaxFusion, type SoftmaxFusionOptions } from './softmax.js';
export { sigmoidFusion, type SigmoidFusionOptions } from './sigmoid.js';
export { contrastFusion, type ContrastFusionOptions } from './contrast.js';
export { meanFusion, maxFusion, type EnsembleFusionOptions } from './ensemble.js';
export { logits, logitsOption, type LogitKind, type Logits } from './logits.js';

/** Core's own plugins (the built-in fusion rules), registered like any plugin package's. */
export const corePlugins = definePlugins({ fusions: [dotFusion, cosineFusion, softmaxFusion, sigmoidFusion, contrastFusion, meanFusion, maxFusion] });
