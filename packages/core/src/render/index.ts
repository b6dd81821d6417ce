/**
 * Rendering of attribution maps as Captum's `visualize_image_attr` draws them: channel sums, outlier-clipped
 * normalisation per sign, Captum's default colour maps, heat maps blended over a grayscale image, and labelled grids.
 * @module
 */
export { type Sign, SIGNS, mapGeometry, sumChannels, cumulativeSumThreshold, normalizeAttr } from './normalize.js';
export {
  type Rgb,
  type ColormapName,
  type ColormapSpec,
  COLORMAP_ANCHORS,
  LUT_SIZE,
  colormapForSign,
  lookupTable,
  colorAt,
  colorize,
} from './colormap.js';
export { type OverlayImage, type OverlayOptions, renderOverlay, writeOverlayPng, imageFromTensor } from './overlay.js';
export { type OverlayJob, type OverlayReply, OverlayWriter } from './overlay-writer.js';
export {
  type GridOptions,
  type GridLayout,
  GRID_GAP,
  GRID_FONT_SIZE,
  GRID_LABEL_PADDING,
  gridLayout,
  renderGrid,
  escapeXml,
} from './grid.js';
