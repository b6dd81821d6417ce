/**
 * Prompt sets: MedCLIP's templates, the built-in sets, seeded sampling and YAML prompt files.
 * @packageDocumentation
 */
export {
  CHEXPERT_CLASS_TEMPLATES,
  CHEXPERT_COMPETITION_TASKS,
  COVID_CLASS_TEMPLATES,
  RSNA_CLASS_TEMPLATES,
  expandTemplate,
  type PromptTemplates,
  type TermLists,
} from './templates.js';
export { chexpert5, covid, rsna, labels, builtinPromptSets, PROMPT_SET_NAMES, NORMAL_PROMPTS, type PromptSet } from './sets.js';
export { samplePrompts } from './sample.js';
export { parsePromptFile, readPromptFile } from './prompt-file.js';
