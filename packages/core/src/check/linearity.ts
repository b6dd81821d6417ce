import type { AttributionMethod } from '../method.js';

type Linearity<O> = boolean | ((options: O) => boolean);

/**
 * The two names a method's linearity has had: `linear` (current) and `linearInTarget` (deprecated, still read). Read
 * through this type so that the kits compile whichever of the two `MethodMeta` declares.
 */
interface LinearityMeta<O> {
  readonly linear?: Linearity<O>;
  readonly linearInTarget?: Linearity<O>;
}

/**
 * Whether a method declares itself linear in its target for these options, from `meta.linear`, else the deprecated
 * `meta.linearInTarget`; false when it declares neither.
 * @param method - the method
 * @param options - resolved options (a function-valued declaration is called with them)
 */
export function declaredLinear<O>(method: AttributionMethod<O>, options: O): boolean {
  const meta = method.meta as unknown as LinearityMeta<O>;
  const declared = meta.linear ?? meta.linearInTarget;
  return typeof declared === 'function' ? declared(options) : declared === true;
}
