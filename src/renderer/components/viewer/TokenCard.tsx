/**
 * What the pointer is over: token index, frame/row/column, the score that decided it and its fate.
 * A fixed-height line under the picture, so hovering never moves the layout.
 */
import { cellAt, modelRegion, tokenIndex } from '../../lib/overlayGeometry';
import { describeFate, type OverlayModel } from '../../lib/overlayModel';

/** The text for `point` (picture pixels) on `model`, or a hint when the pointer is elsewhere. */
export function tokenCardText(model: OverlayModel, picture: { width: number; height: number }, point: { x: number; y: number } | null): string {
  if (!point) return 'Hover a token to see its index, position, score and fate.';
  const cell = cellAt(modelRegion(picture.width, picture.height), { rows: model.rows, cols: model.cols }, point.x, point.y);
  if (!cell) return 'Outside the square the model sees (centre crop).';
  const index = tokenIndex({ rows: model.rows, cols: model.cols }, model.frame, cell.row, cell.col);
  const token = model.cells[cell.row * model.cols + cell.col];
  if (!token) return '';
  const score = token.score === undefined ? '' : ` · score ${token.score.toPrecision(4)}`;
  const frame = model.frame > 0 ? `frame ${model.frame}, ` : '';
  return `Token ${index} (${frame}row ${cell.row}, col ${cell.col})${score} · ${describeFate(token.fate)}`;
}

/** The hover line. */
export function TokenCard({ model, picture, point }: { model: OverlayModel; picture: { width: number; height: number }; point: { x: number; y: number } | null }) {
  return (
    <p className="token-card" data-testid="token-card">
      {tokenCardText(model, picture, point)}
    </p>
  );
}
