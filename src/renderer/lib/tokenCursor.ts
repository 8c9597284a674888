/**
 * The keyboard's token cursor on an overlay: the same information the hover card gives a pointer
 * (index, position, score, fate), reachable without one. Pure, so the key map is tested alone.
 * Keys follow the ARIA grid pattern: arrows move one token, Home/End go to the row's ends,
 * Ctrl+Home/End to the first/last token of the frame.
 */
import type { GridSize } from './overlayGeometry';

/** A token of the frame shown, by row and column. */
export interface TokenCursor {
  row: number;
  col: number;
}

/** The keys a cursor reacts to (modifier state comes separately). */
const KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End']);

/** Whether `key` moves the cursor (so the caller stops it from panning the picture). */
export function isCursorKey(key: string): boolean {
  return KEYS.has(key);
}

/**
 * Where `key` takes `cursor` on `grid` (the first token when there is no cursor yet), clamped to
 * the grid; null for a key the cursor does not handle. A cursor outside a smaller grid (the run
 * changed) is clamped first.
 */
export function moveCursor(cursor: TokenCursor | null, key: string, grid: GridSize, ctrl = false): TokenCursor | null {
  if (!isCursorKey(key) || grid.rows < 1 || grid.cols < 1) return null;
  const last = { row: grid.rows - 1, col: grid.cols - 1 };
  const at = cursor ? { row: Math.min(cursor.row, last.row), col: Math.min(cursor.col, last.col) } : { row: 0, col: 0 };
  if (!cursor) return at; // the first key press shows where the cursor is
  switch (key) {
    case 'ArrowLeft':
      return { ...at, col: Math.max(0, at.col - 1) };
    case 'ArrowRight':
      return { ...at, col: Math.min(last.col, at.col + 1) };
    case 'ArrowUp':
      return { ...at, row: Math.max(0, at.row - 1) };
    case 'ArrowDown':
      return { ...at, row: Math.min(last.row, at.row + 1) };
    case 'Home':
      return ctrl ? { row: 0, col: 0 } : { ...at, col: 0 };
    case 'End':
      return ctrl ? last : { ...at, col: last.col };
    default:
      return null;
  }
}
