import { describe, it, expect } from 'vitest';
import { ContainerModule } from 'inversify';
import { PluginRegistry } from './registry.js';
import { definePlugins, isContainerModule } from './plugins.js';
import { isLinearInTarget } from './method-maps.js';
import { AttributionMethod as MethodToken, type AttributionMethod } from './method.js';
import { FusionRule } from './fusion.js';
import { dotFusion } from './fusion-rules/dot.js';

function fakeMethod(id: string): AttributionMethod {
  return {
    meta: { id, kind: 'perturbation', linear: true, optionsSchema: { type: 'object' }, defaultOptions: {}, description: id, paper: '-' },
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

  it('registers a plain-object plugin package (definePlugins) like a ContainerModule', () => {
    const r = new PluginRegistry();
    r.addPackage(definePlugins({ methods: [fakeMethod('a'), fakeMethod('b')], fusions: [dotFusion] }), 'pkg-plain', '2.0.0');
    r.addPackage(moduleOf(fakeMethod('c')), 'pkg-module');
    expect(r.ids('method')).toEqual(['a', 'b', 'c']);
    expect(r.get('fusion', 'dot').packageName).toBe('pkg-plain');
    expect(r.packages()).toEqual({ 'pkg-plain': '2.0.0', 'pkg-module': 'unknown' });
  });

  it('rejects a default export that is neither form, saying what would be valid', () => {
    const r = new PluginRegistry();
    for (const bad of [null, 42, [], {}, { methods: fakeMethod('a') }, { methods: [], extra: [] }, { default: {} }]) {
      expect(() => r.addPackage(bad, 'pkg-x')).toThrow("plugin package 'pkg-x' must default-export definePlugins({ methods, adapters, fusions }) (each an array) or an inversify ContainerModule");
    }
  });

  it('recognises a ContainerModule from another copy of inversify by its shape, not its constructor name', () => {
    class Renamed {
      readonly id = 7;
      load(): void {}
    }
    expect(isContainerModule(new Renamed())).toBe(true);
    expect(isContainerModule(moduleOf())).toBe(true);
    expect(isContainerModule({ constructor: { name: 'ContainerModule' } })).toBe(false);
  });

  it('reads the deprecated linearInTarget, with one warning naming the package and the new name', () => {
    const warnings: string[] = [];
    const r = new PluginRegistry({ onWarning: (m) => warnings.push(m) });
    const { linear: _linear, ...meta } = fakeMethod('old').meta;
    const old: AttributionMethod = { meta: { ...meta, linearInTarget: (o: Record<string, unknown>) => o.abs !== true }, attribute: fakeMethod('old').attribute };
    r.add('method', old, 'pkg-old');
    r.add('method', old, 'pkg-old');
    expect(warnings).toEqual(["pkg-old: method 'old': meta.linearInTarget is deprecated; rename it to meta.linear (the old name is read until Envision 0.3)"]);
    expect(isLinearInTarget(old, {})).toBe(true);
    expect(isLinearInTarget(old, { abs: true })).toBe(false);
    expect(isLinearInTarget({ ...old, meta: meta as AttributionMethod['meta'] }, {})).toBe(false);
  });

  it('checks a declaration when it registers: schema, defaults, kind and flags, naming package and id', () => {
    const r = new PluginRegistry();
    const withMeta = (meta: Record<string, unknown>) => ({ ...fakeMethod('m'), meta: { ...fakeMethod('m').meta, ...meta } }) as AttributionMethod;
    expect(() => r.add('method', withMeta({ optionsSchema: { type: 'objekt' } }), 'pkg')).toThrow(/^pkg: method 'm': meta\.optionsSchema is not a valid JSON Schema \(2020-12\): schema is invalid: data\/type/);
    expect(() => r.add('method', withMeta({ optionsSchema: 'object' }), 'pkg')).toThrow("pkg: method 'm': meta.optionsSchema must be a JSON Schema object");
    const schema = { type: 'object', properties: { steps: { type: 'integer', minimum: 1 }, layer: { type: 'string' } }, required: ['layer'] };
    expect(() => r.add('method', withMeta({ optionsSchema: schema, defaultOptions: { steps: 0 } }), 'pkg')).toThrow(
      "pkg: method 'm': meta.defaultOptions do not fit its optionsSchema: defaultOptions.steps must be >= 1",
    );
    expect(() => r.add('method', withMeta({ defaultOptions: [1] }), 'pkg')).toThrow("pkg: method 'm': meta.defaultOptions must be an object of option values");
    expect(() => r.add('method', withMeta({ kind: 'gradients' }), 'pkg')).toThrow(`pkg: method 'm': meta.kind must be 'gradient' or 'perturbation', got "gradients"`);
    expect(() => r.add('method', withMeta({ linear: 'yes' }), 'pkg')).toThrow("pkg: method 'm': meta.linear must be a boolean or a function of the options");
    const fusion = { ...dotFusion, meta: { ...dotFusion.meta, linear: undefined } } as unknown as typeof dotFusion;
    expect(() => r.add('fusion', fusion, 'pkg')).toThrow("pkg: fusion 'dot': meta.linear must be true or false");
    // A required option without a default is fine: the user gives it.
    r.add('method', withMeta({ optionsSchema: schema, defaultOptions: { steps: 2 } }), 'pkg');
    expect(r.ids('method')).toEqual(['m']);
  });
});
