/**
 * MedCLIP's prompt templates (`medclip/constants.py`: `CHEXPERT_CLASS_PROMPTS`, `COVID_CLASS_PROMPTS`,
 * `RSNA_CLASS_PROMPTS`) as data: per class, named term lists in MedCLIP's key order. A class's prompts are the
 * Cartesian product of its lists in that order, joined with single spaces (`medclip/prompts.py`), so an empty
 * term leaves a double, leading or trailing space; those spaces are kept, as MedCLIP keeps them (the tokenizer
 * drops them anyway). MedCLIP's spelling is kept too ("apperance", "presistent", "uppper").
 */

/** Named term lists in their order: the prompt template of one class. */
export type TermLists = Readonly<Record<string, readonly string[]>>;

/** Class name → its template, in the class order of the set. */
export type PromptTemplates = Readonly<Record<string, TermLists>>;

/**
 * The CheXpert competition classes (`CHEXPERT_COMPETITION_TASKS`) in MedCLIP's order.
 */
export const CHEXPERT_COMPETITION_TASKS: readonly string[] = ['Atelectasis', 'Cardiomegaly', 'Consolidation', 'Edema', 'Pleural Effusion'];

/**
 * `CHEXPERT_CLASS_PROMPTS`. Sizes: Atelectasis 3 × 7 × 10 = 210, Cardiomegaly 1 × 15 × 1 = 15, Consolidation
 * 4 × 6 × 8 = 192, Edema 6 × 3 × 1 = 18, Pleural Effusion 6 × 3 × 3 = 54. Pleural Effusion's keys are ordered
 * severity, location, subtype (the others severity, subtype, location), and its subtype list holds
 * "bilateral pleural effusion" twice, so 18 of its 54 prompts appear twice (36 distinct).
 */
export const CHEXPERT_CLASS_TEMPLATES: PromptTemplates = {
  Atelectasis: {
    severity: ['', 'mild', 'minimal'],
    subtype: [
      'subsegmental atelectasis',
      'linear atelectasis',
      'trace atelectasis',
      'bibasilar atelectasis',
      'retrocardiac atelectasis',
      'bandlike atelectasis',
      'residual atelectasis',
    ],
    location: [
      'at the mid lung zone',
      'at the upper lung zone',
      'at the right lung zone',
      'at the left lung zone',
      'at the lung bases',
      'at the right lung base',
      'at the left lung base',
      'at the bilateral lung bases',
      'at the left lower lobe',
      'at the right lower lobe',
    ],
  },
  Cardiomegaly: {
    severity: [''],
    subtype: [
      'cardiac silhouette size is upper limits of normal',
      'cardiomegaly which is unchanged',
      'mildly prominent cardiac silhouette',
      'portable view of the chest demonstrates stable cardiomegaly',
      'portable view of the chest demonstrates mild cardiomegaly',
      'persistent severe cardiomegaly',
      'heart size is borderline enlarged',
      'cardiomegaly unchanged',
      'heart size is at the upper limits of normal',
      'redemonstration of cardiomegaly',
      'ap erect chest radiograph demonstrates the heart size is the upper limits of normal',
      'cardiac silhouette size is mildly enlarged',
      'mildly enlarged cardiac silhouette, likely left ventricular enlargement. other chambers are less prominent',
      'heart size remains at mildly enlarged',
      'persistent cardiomegaly with prominent upper lobe vessels',
    ],
    location: [''],
  },
  Consolidation: {
    severity: ['', 'increased', 'improved', 'apperance of'],
    subtype: [
      'bilateral consolidation',
      'reticular consolidation',
      'retrocardiac consolidation',
      'patchy consolidation',
      'airspace consolidation',
      'partial consolidation',
    ],
    location: [
      'at the lower lung zone',
      'at the upper lung zone',
      'at the left lower lobe',
      'at the right lower lobe',
      'at the left upper lobe',
      'at the right uppper lobe',
      'at the right lung base',
      'at the left lung base',
    ],
  },
  Edema: {
    severity: ['', 'mild', 'improvement in', 'presistent', 'moderate', 'decreased'],
    subtype: ['pulmonary edema', 'trace interstitial edema', 'pulmonary interstitial edema'],
    location: [''],
  },
  'Pleural Effusion': {
    severity: ['', 'small', 'stable', 'large', 'decreased', 'increased'],
    location: ['left', 'right', 'tiny'],
    subtype: ['bilateral pleural effusion', 'subpulmonic pleural effusion', 'bilateral pleural effusion'],
  },
};

/** `COVID_CLASS_PROMPTS`: the COVID class only, 2 × 1 × 2 × 3 = 12 prompts of four terms. */
export const COVID_CLASS_TEMPLATES: PromptTemplates = {
  COVID: {
    adjective: ['patchy', 'confluent'],
    description: ['ground glass'],
    subtype: ['opacity', 'consolidation'],
    location: ['in peripheral', 'in mid', 'in lower'],
  },
};

/** `RSNA_CLASS_PROMPTS`: the Pneumonia class only, 6 × 4 × 13 = 312 prompts. */
export const RSNA_CLASS_TEMPLATES: PromptTemplates = {
  Pneumonia: {
    adjective: ['round', 'early', 'focal', 'multifocal', 'small', ''],
    subtype: ['bacterial', 'viral', 'mycoplasma', ''],
    location: [
      'at the mid lung zone',
      'at the upper lung zone',
      'at the right lung zone',
      'at the left lung zone',
      'at the lung bases',
      'at the right lung base',
      'at the left lung base',
      'at the bilateral lung bases',
      'at the left lower lobe',
      'at the right lower lobe',
      'at the left middle lobe',
      'at the right middle lobe',
      '',
    ],
  },
};

/**
 * The prompts of one template: the Cartesian product of its term lists in key order (the first list varies
 * slowest), each combination joined with single spaces, as MedCLIP's nested loops and f-string build them.
 * Nothing is trimmed or deduplicated.
 *
 * @param terms - the named term lists, in order
 * @returns every combination, in MedCLIP's order
 */
export function expandTemplate(terms: TermLists): string[] {
  let prompts: string[][] = [[]];
  for (const list of Object.values(terms)) prompts = prompts.flatMap((head) => list.map((term) => [...head, term]));
  return prompts.map((parts) => parts.join(' '));
}
