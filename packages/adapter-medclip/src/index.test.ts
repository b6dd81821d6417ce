import { AdapterPlugin, PluginRegistry } from '@envision/core';
import { describe, expect, it } from 'vitest';
import medclipPlugins, { MedClipAdapter, PromptClassifier, chexpert5, loadBundle, medclipAdapterPlugin, readPromptFile, samplePrompts } from './index.js';

describe('package entry point', () => {
  it('default-exports its plugins in the plain-object form: the medclip adapter', () => {
    const registry = new PluginRegistry();
    registry.addPackage(medclipPlugins, '@envision/adapter-medclip');
    expect(medclipPlugins).toEqual({ adapters: [medclipAdapterPlugin] });
    expect(registry.ids('adapter')).toEqual(['medclip']);
    expect(registry.get('adapter', 'medclip').plugin).toBe(medclipAdapterPlugin);
    expect(typeof AdapterPlugin).toBe('symbol');
  });

  it('exports the adapter and the bundle loader', () => {
    expect(typeof MedClipAdapter.load).toBe('function');
    expect(typeof loadBundle).toBe('function');
  });

  it("exports the prompt sets and the classifier (the DICOM decoder is @envision/image's)", () => {
    expect(chexpert5['Edema']).toHaveLength(18);
    expect(typeof samplePrompts).toBe('function');
    expect(typeof readPromptFile).toBe('function');
    expect(typeof PromptClassifier).toBe('function');
  });
});
