import sharp from 'sharp';
import { EnvisionError, describeCause } from '@envision/onnx-grad';
import { drawSvgLayer } from './label-layer.js';

/** Options of {@link renderGrid}. */
export interface GridOptions {
  /** PNG bytes per row and column; `null` leaves a light gray placeholder. Every row has one cell per column label. */
  readonly cells: readonly (readonly (Uint8Array | null)[])[];
  /** One label per row, drawn left of the row (empty strings allowed). */
  readonly rowLabels: readonly string[];
  /** One label per column, drawn above the column (empty strings allowed). */
  readonly colLabels: readonly string[];
  /**
   * Side of the square each cell is fitted into, in pixels.
   * @default 224
   */
  readonly cellSize?: number | undefined;
}

/** Where everything goes in a grid (see {@link gridLayout}). */
export interface GridLayout {
  /** Output width in pixels. */
  readonly width: number;
  /** Output height in pixels. */
  readonly height: number;
  /** Width of the row-label column (0 when every row label is empty). */
  readonly labelWidth: number;
  /** Height of the column-label row (0 when every column label is empty). */
  readonly headerHeight: number;
  /** Side of each cell. */
  readonly cellSize: number;
  /** Top-left corner of the cell at `row`, `col`. */
  cellOrigin(row: number, col: number): { left: number; top: number };
}

/** Pixels between cells and around the cell block. */
export const GRID_GAP = 4;
/** Font size of the labels, in pixels. */
export const GRID_FONT_SIZE = 14;
/** Padding around label text, in pixels. */
export const GRID_LABEL_PADDING = 6;
/** Assumed average advance of a label character, in ems (DejaVu Sans is about 0.55–0.6); used to size the label column. */
const CHAR_EM = 0.6;
const PLACEHOLDER = { r: 240, g: 240, b: 240 };
const WHITE = { r: 255, g: 255, b: 255 };

/**
 * The grid's geometry. The row-label column is as wide as the longest row label (estimated at 0.6 em per character)
 * plus padding, capped at three cells; the header is one line of text plus padding. Cells are `cellSize` squares with
 * {@link GRID_GAP} pixels between them and around the block:
 * `left = labelWidth + GAP + col · (cellSize + GAP)`, `top = headerHeight + GAP + row · (cellSize + GAP)`.
 *
 * @param rows - number of rows
 * @param cols - number of columns
 * @param rowLabels - the row labels (only their lengths matter)
 * @param colLabels - the column labels (only whether any is non-empty matters)
 * @param cellSize - side of each cell
 * @returns the layout
 */
export function gridLayout(rows: number, cols: number, rowLabels: readonly string[], colLabels: readonly string[], cellSize: number): GridLayout {
  const longest = Math.max(0, ...rowLabels.map((l) => [...l].length));
  const labelWidth = longest === 0 ? 0 : Math.min(3 * cellSize, Math.ceil(longest * CHAR_EM * GRID_FONT_SIZE) + 2 * GRID_LABEL_PADDING);
  const headerHeight = colLabels.some((l) => l.length > 0) ? GRID_FONT_SIZE + 2 * GRID_LABEL_PADDING : 0;
  return {
    width: labelWidth + cols * cellSize + (cols + 1) * GRID_GAP,
    height: headerHeight + rows * cellSize + (rows + 1) * GRID_GAP,
    labelWidth,
    headerHeight,
    cellSize,
    cellOrigin: (row, col) => ({
      left: labelWidth + GRID_GAP + col * (cellSize + GRID_GAP),
      top: headerHeight + GRID_GAP + row * (cellSize + GRID_GAP),
    }),
  };
}

/**
 * Composes PNG cells into a labelled grid on a white background: row labels left of the rows (right-aligned),
 * column labels centred above the columns, drawn as SVG text by sharp's bundled librsvg (the fonts come from the
 * system's fontconfig). Each cell is fitted inside its square keeping its aspect ratio (`contain`, white margins),
 * enlarged with nearest-neighbour sampling so small maps stay crisp, reduced with sharp's default Lanczos kernel.
 * Labels longer than their space are cut with an ellipsis.
 *
 * @param options - cells, labels and cell size
 * @returns the PNG file's bytes (RGB)
 * @throws EnvisionError `E_INPUT` when the cell rows and labels do not match or `cellSize` is not a positive integer,
 * `E_IMAGE` when a cell cannot be decoded or the grid cannot be encoded
 */
export async function renderGrid(options: GridOptions): Promise<Uint8Array> {
  const { cells, rowLabels, colLabels, cellSize = 224 } = options;
  if (!(Number.isInteger(cellSize) && cellSize > 0)) {
    throw new EnvisionError('E_INPUT', `grid: cellSize must be a positive integer, got ${cellSize}`);
  }
  if (cells.length !== rowLabels.length) {
    throw new EnvisionError('E_INPUT', `grid: ${cells.length} rows of cells but ${rowLabels.length} row labels`);
  }
  cells.forEach((row, r) => {
    if (row.length !== colLabels.length) {
      throw new EnvisionError('E_INPUT', `grid: row ${r} has ${row.length} cells but there are ${colLabels.length} column labels`);
    }
  });
  const layout = gridLayout(cells.length, colLabels.length, rowLabels, colLabels, cellSize);
  // The cells are fitted at once (sharp works on its own threads) and copied into a white RGB canvas, the labels
  // drawn over it (compositing each cell with sharp costs many times as much).
  const cellBytes = await Promise.all(cells.flatMap((row, r) => row.map((png, c) => fitCell(png, cellSize, r, c))));
  const canvas = Buffer.alloc(layout.width * layout.height * 3, 255);
  cellBytes.forEach((raw, i) => {
    const { left, top } = layout.cellOrigin(Math.floor(i / colLabels.length), i % colLabels.length);
    for (let y = 0; y < cellSize; y++) raw.copy(canvas, ((top + y) * layout.width + left) * 3, y * cellSize * 3, (y + 1) * cellSize * 3);
  });
  await drawSvgLayer(canvas, layout.width, layout.height, labelsSvg(layout, rowLabels, colLabels));
  try {
    return await sharp(canvas, { raw: { width: layout.width, height: layout.height, channels: 3 } }).png().toBuffer();
  } catch (e) {
    throw new EnvisionError('E_IMAGE', `cannot encode a ${layout.width} × ${layout.height} grid: ${describeCause(e)}`, e);
  }
}

/**
 * Escapes text for an SVG text node or attribute: `& < > " '` become entities and control characters XML 1.0
 * forbids are dropped (librsvg rejects the whole SVG otherwise).
 *
 * @param text - the raw label
 * @returns text safe to place between tags or in a quoted attribute
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!);
}

async function fitCell(png: Uint8Array | null, size: number, row: number, col: number): Promise<Buffer> {
  try {
    if (png === null) return await sharp({ create: { width: size, height: size, channels: 3, background: PLACEHOLDER } }).raw().toBuffer();
    const meta = await sharp(png).metadata();
    const enlarging = (meta.width ?? 0) <= size && (meta.height ?? 0) <= size;
    return await sharp(png)
      .flatten({ background: WHITE })
      .resize(size, size, { fit: 'contain', background: WHITE, kernel: enlarging ? 'nearest' : 'lanczos3' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer();
  } catch (e) {
    throw new EnvisionError('E_IMAGE', `grid cell at row ${row}, column ${col} is not a readable image: ${describeCause(e)}`, e);
  }
}

/** Cuts a label to at most `chars` characters, ending in an ellipsis when cut. */
function fit(label: string, chars: number): string {
  const all = [...label];
  if (all.length <= chars) return label;
  if (chars <= 1) return chars === 1 ? '…' : '';
  return all.slice(0, chars - 1).join('') + '…';
}

function labelsSvg(layout: GridLayout, rowLabels: readonly string[], colLabels: readonly string[]): string {
  const charWidth = CHAR_EM * GRID_FONT_SIZE;
  const texts: string[] = [];
  const baselineShift = Math.round(GRID_FONT_SIZE * 0.35); // centres the x-height on the middle line
  rowLabels.forEach((label, r) => {
    if (label.length === 0) return;
    const text = fit(label, Math.floor((layout.labelWidth - 2 * GRID_LABEL_PADDING) / charWidth));
    const y = layout.cellOrigin(r, 0).top + layout.cellSize / 2 + baselineShift;
    texts.push(`<text x="${layout.labelWidth - GRID_LABEL_PADDING}" y="${y}" text-anchor="end">${escapeXml(text)}</text>`);
  });
  colLabels.forEach((label, c) => {
    if (label.length === 0) return;
    const text = fit(label, Math.floor(layout.cellSize / charWidth));
    const x = layout.cellOrigin(0, c).left + layout.cellSize / 2;
    texts.push(`<text x="${x}" y="${GRID_LABEL_PADDING + GRID_FONT_SIZE - 2}" text-anchor="middle">${escapeXml(text)}</text>`);
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}">` +
    `<g font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="${GRID_FONT_SIZE}" fill="#222">${texts.join('')}</g></svg>`
  );
}
