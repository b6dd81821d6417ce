/**
 * __NAME__: the `__ID__` adapter for Envision.
 * @packageDocumentation
 */
import { definePlugins } from '@envision/core';
import { __IDENT__ } from './__ID__.js';

export { __IDENT__, __TYPE__, type __TYPE__Options } from './__ID__.js';
export { VocabTokenizer, type VocabTokenizerOptions } from './tokenizer.js';
export { preprocessImage, type PreprocessOptions } from './preprocess.js';

/** The plugins of this package: Envision loads them when an experiment lists `__NAME__` under `plugins:`. */
export default definePlugins({ adapters: [__IDENT__] });
