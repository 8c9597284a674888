/**
 * What the pointer (or the keyboard's token cursor) is on: token index, frame/row/column, the
 * score that decided it and its fate. A fixed-height line under the picture, so hovering never
 * moves the layout. The cursor's text is also put in a polite live region, so a screen reader
 * announces each token the arrow keys reach (the hover text is not, to keep pointers quiet).
 */
import { cellAt, modelRegion, tokenIndex } from '../../lib/overlayGeometry';
import { describeFate, type OverlayModel } from '../../lib/overlayModel';
import type { TokenCursor } from '../../lib/tokenCursor';

/** What the card says before anything is pointed at. */
export const TOKEN_CARD_HINT = 'Hover a token (or focus the overlay and use the arrow keys) to see its index, position, score and fate.';

/** The text for the token at (row, col) of `model`'s frame: index, position, score, fate; '' outside the grid. */
export function tokenText(model: OverlayModel, cell: TokenCursor): string {
  const token = model.cells[cell.row * model.cols + cell.col];
  if (!token || cell.row >= model.rows || cell.col >= model.cols) return '';
  const index = tokenIndex({ rows: model.rows, cols: model.cols }, model.frame, cell.row, cell.col);
  const score = token.score === undefined ? '' : ` · score ${token.score.toPrecision(4)}`;
  const frame = model.frame > 0 ? `frame ${model.frame}, ` : '';
  return `Token ${index} (${frame}row ${cell.row}, col ${cell.col})${score} · ${describeFate(token.fate)}`;
}

/** The text for `point` (picture pixels) on `model`, or a hint when the pointer is elsewhere. */
export function tokenCardText(model: OverlayModel, picture: { width: number; height: number }, point: { x: number; y: number } | null): string {
  if (!point) return TOKEN_CARD_HINT;
  const cell = cellAt(modelRegion(picture.width, picture.height), { rows: model.rows, cols: model.cols }, point.x, point.y);
  if (!cell) return 'Outside the square the model sees (centre crop).';
  return tokenText(model, cell);
}

export interface TokenCardProps {
  model: OverlayModel;
  picture: { width: number; height: number };
  point: { x: number; y: number } | null;
  /** The keyboard's cursor while it is in use (the overlay has focus); it takes precedence over `point`. */
  cursor?: TokenCursor | null;
}

/** The hover/cursor line, plus the live region that announces the cursor. */
export function TokenCard({ model, picture, point, cursor = null }: TokenCardProps) {
  const cursorText = cursor ? tokenText(model, cursor) : '';
  const text = cursor ? cursorText : tokenCardText(model, picture, point);
  return (
    <>
      <p className="token-card" data-testid="token-card" data-source={cursor ? 'keyboard' : 'pointer'} title={text}>
        {text}
      </p>
      <span className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="token-announce">
        {cursorText}
      </span>
    </>
  );
}
