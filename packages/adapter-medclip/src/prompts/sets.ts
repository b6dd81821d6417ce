import type { PromptSets } from '@envision/core';
import {
  CHEXPERT_CLASS_TEMPLATES,
  CHEXPERT_COMPETITION_TASKS,
  COVID_CLASS_TEMPLATES,
  type PromptTemplates,
  RSNA_CLASS_TEMPLATES,
  expandTemplate,
} from './templates.js';

/** One prompt set: class name → that class's prompts, classes in order. */
export type PromptSet = Readonly<Record<string, readonly string[]>>;

/**
 * Prompts standing in for the `Normal` class of the COVID and RSNA sets. MedCLIP has no template for it: its
 * evaluation script samples 10 sentences labelled "No Finding" from its own sentence database
 * (`local_data/sentence-label.csv`, not published). The stand-in is that label itself; pass a prompt file for
 * other sentences.
 */
export const NORMAL_PROMPTS: readonly string[] = ['No Finding'];

function expandAll(templates: PromptTemplates): Record<string, readonly string[]> {
  return Object.fromEntries(Object.entries(templates).map(([name, terms]) => [name, Object.freeze(expandTemplate(terms))]));
}

/**
 * MedCLIP's CheXpert-5 prompts (`generate_chexpert_class_prompts()` without sampling): 210 Atelectasis,
 * 15 Cardiomegaly, 192 Consolidation, 18 Edema and 54 Pleural Effusion prompts (18 of those listed twice, as
 * MedCLIP lists them).
 */
export const chexpert5: PromptSet = Object.freeze(expandAll(CHEXPERT_CLASS_TEMPLATES));

/** COVID (`COVID_TASKS` order): `Normal` ({@link NORMAL_PROMPTS}) and MedCLIP's 12 COVID prompts. */
export const covid: PromptSet = Object.freeze({ Normal: NORMAL_PROMPTS, ...expandAll(COVID_CLASS_TEMPLATES) });

/** RSNA pneumonia (`RSNA_TASKS` order): `Normal` ({@link NORMAL_PROMPTS}) and MedCLIP's 312 Pneumonia prompts. */
export const rsna: PromptSet = Object.freeze({ Normal: NORMAL_PROMPTS, ...expandAll(RSNA_CLASS_TEMPLATES) });

/** The bare CheXpert-5 class labels, one prompt per class: the label itself (`Pleural Effusion` …). */
export const labels: PromptSet = Object.freeze(Object.fromEntries(CHEXPERT_COMPETITION_TASKS.map((name) => [name, Object.freeze([name])])));

/** The built-in prompt sets by name, as `MedClipAdapter.promptSets` exposes them. */
export const builtinPromptSets: PromptSets = Object.freeze({ chexpert5, covid, rsna, labels });

/** Names of the built-in prompt sets. */
export const PROMPT_SET_NAMES: readonly string[] = Object.freeze(Object.keys(builtinPromptSets));
