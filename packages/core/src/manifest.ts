// The run manifest's types: what the pipeline writes (pipeline/run.ts) and the report reads (report/). They live
// here, importing nothing, so that neither of the two has to import the other for them.

/** What a target explains: embedding dimensions, the proposed approach (`embedding`) or the baseline (`classifier`). */
export type TargetKind = 'dimensions' | 'embedding' | 'classifier';

/** One class of a text target: its name and its prompts, embedded as one padded batch. */
export interface TextClass {
  readonly name: string;
  readonly prompts: readonly string[];
}

/** One finished image × method × target, as reported to listeners and written to the manifest. */
export interface RunItem {
  readonly image: string;
  readonly method: string;
  readonly target: string;
  /** `dimensions`, `embedding` (proposed) or `classifier` (baseline). */
  readonly kind: TargetKind;
  /** The strategy that ran: `direct` (fuse first) or `jacobian` (fused from the stored per-dimension maps). */
  readonly strategy: 'direct' | 'jacobian';
  /** One label per map row (prompt text, class name or `dim <i>`). */
  readonly labels: readonly string[];
  /** The model's score per row: the fusion's s_r (a logit, probability or dot score), or the embedding value. */
  readonly scores: readonly number[];
  /** The maps, relative to the run folder: float32 `[R, C, H, W]` (direct) or channel-summed `[R, H, W]` (jacobian). */
  readonly npy: string;
  /** Overlay PNGs, relative to the run folder: one per row and sign. */
  readonly overlays: readonly string[];
  /** Token attributions of the prompts (`explain: text`), relative to the run folder: `IMAGE/METHOD/TARGET.tokens.json`. */
  readonly tokens?: string;
  /** The words of each prompt with the item's token score summed over their pieces (for the report). */
  readonly words?: readonly { readonly text: string; readonly words: readonly { readonly word: string; readonly score: number }[] }[];
  readonly milliseconds: number;
  readonly report?: Record<string, unknown>;
  /**
   * Numbers about the maps: `classMapSimilarity`, the mean pairwise Spearman correlation of the item's maps (rows) —
   * near 1 when every class or prompt gets the same map (the study's "class-agnostic" finding, measured).
   */
  readonly metrics?: Record<string, number>;
}

/** A figure of the run: a grid of overlays (the paper's Fig. 1 for the baseline, Fig. 2 for the proposed approach). */
export interface RunFigure {
  readonly image: string;
  readonly target: string;
  /** `methods × classes` (baseline) or `rows × methods` (proposed). */
  readonly layout: 'methods-by-classes' | 'rows-by-methods';
  readonly png: string;
}

/** An item of a run that failed (see {@link RunManifest.failed}). */
export interface FailedItem {
  /** The item's id: `IMAGE/METHOD` (the image's output folder and the method's name). */
  readonly item: string;
  /** The cause, one line. */
  readonly message: string;
  /** The EnvisionError code when the cause was bad input (e.g. `E_IMAGE`); absent for an internal error. */
  readonly code?: string;
}

/** The run manifest (`manifest.json` in the run folder). */
export interface RunManifest {
  readonly format: 'envision-run/1';
  readonly createdAt: string;
  readonly configFile: string;
  readonly config: unknown;
  readonly seed: number;
  readonly versions: Record<string, string>;
  readonly model: {
    readonly adapter: string;
    readonly embeddingDim: number;
    readonly logitScale: number;
    /** The logit bias, for models that have one (SigLIP). */
    readonly logitBias?: number;
    readonly hashes: Record<string, string>;
    /**
     * The onnxruntime execution providers: as the experiment asked (`model.executionProviders`, default `cpu`), the
     * ones every session ran with, and those that could not load on this machine (dropped because the list names
     * `cpu`), with onnxruntime's reason. Written `cuda` or `cuda:1` (a device). Every run writes it; manifests of
     * earlier versions have none (they ran on the CPU).
     */
    readonly executionProviders?: {
      readonly requested: readonly string[];
      readonly used: readonly string[];
      readonly failed?: readonly { readonly provider: string; readonly reason: string }[];
    };
  };
  /** The texts of each text target, grouped as embedded (one padded batch per class). */
  readonly targets: readonly { readonly name: string; readonly kind: TargetKind; readonly classes: readonly TextClass[] }[];
  readonly items: readonly RunItem[];
  /** Per image and method: the stored per-dimension maps `[M, H, W]`, when a target ran with `jacobian`. */
  readonly perDimension: readonly { readonly image: string; readonly method: string; readonly npy: string; readonly milliseconds: number }[];
  readonly figures: readonly RunFigure[];
  /**
   * Items (image × method) that failed, after their retries on a queue: the item's id (`IMAGE/METHOD`), the cause in
   * one line, and the error code when it was bad input (an image that cannot be decoded, …). Absent when every item
   * was computed. The run's other items, figures and report are there; `envision run --resume` retries these.
   */
  readonly failed?: readonly FailedItem[];
  readonly timings: { readonly totalMs: number; readonly loadMs: number; readonly attributionMs: number; readonly renderMs: number };
}
