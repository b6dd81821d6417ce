import type { RunFigure, RunItem, RunManifest } from '../manifest.js';

/** One overlay PNG of a run item, with what it shows. */
export interface ReportOverlay {
  readonly method: string;
  readonly target: string;
  /** The map row (index into the item's labels). */
  readonly row: number;
  /** The row's label (prompt text, class name or `dim <i>`). */
  readonly label: string;
  /** The sign the overlay was rendered with (`all`, `positive`, …), read from the file name. */
  readonly sign: string;
  /** The PNG, relative to the run folder, as the manifest lists it. */
  readonly path: string;
  /** The model's score for the row, when the manifest has it. */
  readonly score?: number;
}

/** What the rows of a target are. */
export type ReportTargetKind = RunItem['kind'];

/** A target of one image: its rows, what they are, the model's scores and the texts behind them. */
export interface ReportTarget {
  readonly name: string;
  /** `dimensions`, `embedding` (a row per prompt) or `classifier` (a row per class). */
  readonly kind: ReportTargetKind;
  readonly labels: readonly string[];
  /** The scores of the first item of this image and target (every method sees the same model, so the same scores). */
  readonly scores: readonly number[];
  /** The texts embedded, per class, when the manifest lists them (empty for dimensions). */
  readonly classes: readonly { readonly name: string; readonly prompts: readonly string[] }[];
}

/** Everything a report shows for one image, in the order of the manifest. */
export interface ReportImage {
  /** The image as the manifest names it. */
  readonly image: string;
  readonly methods: readonly string[];
  readonly targets: readonly ReportTarget[];
  /** The signs the overlays were rendered with, in order of first appearance. */
  readonly signs: readonly string[];
  readonly items: readonly RunItem[];
  /** The grid figures the run rendered for this image. */
  readonly figures: readonly RunFigure[];
  /** The stored per-dimension maps of this image (methods that ran with the `jacobian` strategy). */
  readonly perDimension: RunManifest['perDimension'];
  /** The overlay of one method, target, row and sign, if the run wrote it. */
  overlay(method: string, target: string, row: number, sign: string): ReportOverlay | undefined;
}

/** The parts of a manifest the grouping reads; fields added after `envision-run/1` first shipped may be missing. */
export type GroupableManifest = Pick<RunManifest, 'items'> & Partial<Pick<RunManifest, 'targets' | 'figures' | 'perDimension'>>;

/**
 * The overlays of one run item. The run writes them row by row, one per sign within a row; the sign is read from
 * the file name (`00-cardiomegaly.positive.png`).
 *
 * @param item - a manifest item
 * @returns one entry per overlay, in the item's order
 */
export function overlaysOf(item: RunItem): ReportOverlay[] {
  const rows = item.labels.length;
  const perRow = rows > 0 && item.overlays.length % rows === 0 ? item.overlays.length / rows : 1;
  return item.overlays.map((path, i) => {
    const row = Math.floor(i / perRow);
    const sign = /\.([A-Za-z0-9_-]+)\.png$/i.exec(path)?.[1] ?? (perRow > 1 ? `#${i % perRow}` : 'overlay');
    const score = item.scores[row];
    return { method: item.method, target: item.target, row, label: item.labels[row] ?? `row ${row}`, sign, path, ...(score === undefined ? {} : { score }) };
  });
}

/**
 * What the rows of a target are: the item's `kind`, or, in a manifest without kinds, `dimensions` when every label
 * is `dim <i>` and `embedding` otherwise.
 *
 * @param item - a manifest item
 * @returns the kind
 */
export function kindOf(item: RunItem): ReportTargetKind {
  const kind = (item as { kind?: ReportTargetKind }).kind;
  if (kind !== undefined) return kind;
  return item.labels.length > 0 && item.labels.every((l) => /^dim \d+$/.test(l)) ? 'dimensions' : 'embedding';
}

/**
 * Groups a run's items, figures and per-dimension maps by image, keeping the manifest's order of images, methods,
 * targets and signs.
 *
 * @param manifest - the manifest (its items, and the target texts, figures and per-dimension maps when present)
 * @returns one entry per image
 */
export function groupByImage(manifest: GroupableManifest): ReportImage[] {
  const byImage = new Map<string, RunItem[]>();
  for (const item of manifest.items) {
    const list = byImage.get(item.image);
    if (list) list.push(item);
    else byImage.set(item.image, [item]);
  }
  const classesOf = new Map((manifest.targets ?? []).map((t) => [t.name, t.classes]));
  return [...byImage].map(([image, list]) => {
    const methods = [...new Set(list.map((i) => i.method))];
    const targets = new Map<string, ReportTarget>();
    for (const i of list) {
      if (!targets.has(i.target)) {
        targets.set(i.target, { name: i.target, kind: kindOf(i), labels: i.labels, scores: i.scores, classes: classesOf.get(i.target) ?? [] });
      }
    }
    const overlays = new Map<string, ReportOverlay>();
    const signs: string[] = [];
    for (const o of list.flatMap(overlaysOf)) {
      overlays.set(key(o.method, o.target, o.row, o.sign), o);
      if (!signs.includes(o.sign)) signs.push(o.sign);
    }
    return {
      image,
      methods,
      targets: [...targets.values()],
      signs,
      items: list,
      figures: (manifest.figures ?? []).filter((f) => f.image === image),
      perDimension: (manifest.perDimension ?? []).filter((p) => p.image === image),
      overlay: (method: string, target: string, row: number, sign: string) => overlays.get(key(method, target, row, sign)),
    };
  });
}

function key(method: string, target: string, row: number, sign: string): string {
  return JSON.stringify([method, target, row, sign]);
}
