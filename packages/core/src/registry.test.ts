import { describe, it, expect } from 'vitest';
import { ContainerModule } from 'inversify';
import { PluginRegistry } from './registry.js';
import { AttributionMethod as MethodToken, type AttributionMethod } from './method.js';
import { FusionRule } from './fusion.js';
import { dotFusion } from './fusion-rules/dot.js';

function fakeMethod(id: string): AttributionMethod {
  return {
    meta: { id, kind: 'perturbation', linearInTarget: true, optionsSchema: { type: 'object' }, defaultOptions: {}, description: id, paper: '-' },
    attribute: () => Promise.reject(new Error('not called')),
  };
}

const moduleOf = (...methods: AttributionMethod[]) =>
  new ContainerModule(({ bind }) => {
    for (const m of methods) bind(MethodToken).toConstantValue(m);
  });

describe('PluginRegistry', () => {
  it('registers every plugin a ContainerModule binds, by kind', () => {
    const r = new PluginRegistry();
    r.addModule(moduleOf(fakeMethod('occlusion'), fakeMethod('ig')), 'pkg-a', '1.0.0');
    r.addModule(new ContainerModule(({ bind }) => void bind(FusionRule).toConstantValue(dotFusion)), 'pkg-core');
    expect(r.ids('method')).toEqual(['ig', 'occlusion']);
    expect(r.ids('fusion')).toEqual(['dot']);
    expect(r.get('method', 'ig').packageName).toBe('pkg-a');
    expect(r.packages()).toEqual({ 'pkg-a': '1.0.0', 'pkg-core': 'unknown' });
  });

  it('treats the same plugin twice, or the same package twice, as a no-op', () => {
    const r = new PluginRegistry();
    const m = fakeMethod('occlusion');
    r.add('method', m, 'pkg-a');
    r.add('method', m, 'pkg-b');
    r.addModule(moduleOf(fakeMethod('x')), 'pkg-c');
    r.addModule(moduleOf(fakeMethod('x')), 'pkg-c');
    expect(r.ids('method')).toEqual(['occlusion', 'x']);
  });

  it('rejects a conflicting id, naming both packages', () => {
    const r = new PluginRegistry();
    r.add('method', fakeMethod('occlusion'), '@envision/method-occlusion');
    expect(() => r.add('method', fakeMethod('occlusion'), 'envision-method-foo')).toThrow(
      "method id 'occlusion' is provided by both @envision/method-occlusion and envision-method-foo",
    );
  });

  it('answers an unknown id with the valid ids and a did-you-mean', () => {
    const r = new PluginRegistry();
    r.add('method', fakeMethod('occlusion'), 'a');
    r.add('method', fakeMethod('saliency'), 'a');
    expect(() => r.get('method', 'oclusion')).toThrow("unknown method 'oclusion'; did you mean 'occlusion'? (valid: occlusion, saliency)");
    expect(() => r.get('method', 'zzzzzzzz')).toThrow("unknown method 'zzzzzzzz' (valid: occlusion, saliency)");
  });

  it('rejects a bound object that is not a plugin', () => {
    const r = new PluginRegistry();
    const bad = new ContainerModule(({ bind }) => void bind(MethodToken).toConstantValue({ meta: { id: 'x' } }));
    expect(() => r.addModule(bad, 'pkg-bad')).toThrow("pkg-bad: method 'x' has no attribute() function");
  });
});
