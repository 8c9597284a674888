/**
 * Where the model's visual tokens lie on the picture. The CLIP-style preprocessing
 * (engine/models/runtime/preprocess.ts) resizes the shortest edge to the crop size and takes the
 * centre square, so the token grid covers the centred square of side min(width, height) — the
 * rest of a non-square image is never seen by the model. The grid's rows and columns come from
 * the run (never a fixed 24×24).
 */

/** A rectangle in the picture's pixel space. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Rows × columns of visual tokens per frame. */
export interface GridSize {
  rows: number;
  cols: number;
}

/** The region of a `width`×`height` picture the model sees: its centred square. */
export function modelRegion(width: number, height: number): Rect {
  const side = Math.min(width, height);
  return { x: (width - side) / 2, y: (height - side) / 2, w: side, h: side };
}

/** The rectangle of token (row, col) inside `region`. */
export function cellRect(region: Rect, grid: GridSize, row: number, col: number): Rect {
  const w = region.w / grid.cols;
  const h = region.h / grid.rows;
  return { x: region.x + col * w, y: region.y + row * h, w, h };
}

/** The token cell under point (x, y) of the picture, or null outside the model's region. */
export function cellAt(region: Rect, grid: GridSize, x: number, y: number): { row: number; col: number } | null {
  const u = (x - region.x) / region.w;
  const v = (y - region.y) / region.h;
  if (!(u >= 0 && u < 1 && v >= 0 && v < 1)) return null;
  return { row: Math.floor(v * grid.rows), col: Math.floor(u * grid.cols) };
}

/** Original token index of (frame, row, col), frame-major raster order as in the trace. */
export function tokenIndex(grid: GridSize, frame: number, row: number, col: number): number {
  return (frame * grid.rows + row) * grid.cols + col;
}

/** How a picture of `content` size fits (contain, centred) into a `box`: scale and offset. */
export function fitContain(content: { width: number; height: number }, box: { width: number; height: number }): { scale: number; x: number; y: number } {
  const scale = Math.min(box.width / content.width, box.height / content.height);
  return { scale, x: (box.width - content.width * scale) / 2, y: (box.height - content.height * scale) / 2 };
}
