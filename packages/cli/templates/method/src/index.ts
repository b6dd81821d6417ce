/**
 * __NAME__: the `__ID__` attribution method for Envision.
 * @packageDocumentation
 */
import { definePlugins } from '@envision/core';
import { __IDENT__ } from './__ID__.js';

export { __IDENT__, type __TYPE__Options } from './__ID__.js';

/** The plugins of this package: Envision loads them when an experiment lists `__NAME__` under `plugins:`. */
export default definePlugins({ methods: [__IDENT__] });
