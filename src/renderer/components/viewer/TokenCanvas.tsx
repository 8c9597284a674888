/**
 * The overlay of one method: a canvas over the picture, repainted whenever the model, size or
 * heat-map setting changes. The element carries the automation hooks: `data-testid="overlay"`,
 * `data-method`, `data-kept` (live tokens at the current stage, from the trace) and what was
 * painted (`data-cells-kept|dropped|merged`), plus `data-drawn-at` (performance.now() when the
 * canvas was drawn) and `data-painted-at` (performance.now() once the frame showing it was
 * painted: a timer after the next animation frame), so tests can time click → overlay.
 *
 * With `onCursor` the overlay is also the keyboard's way in: it takes focus (Tab), the arrow keys
 * move a token cursor (outlined on the picture) instead of panning, and the caller shows that
 * token's card. Focus that comes from a pointer press does not start the cursor, so clicking
 * (to drag, say) leaves the hover card in charge.
 */
import { useEffect, useRef, type FocusEvent, type KeyboardEvent } from 'react';
import { drawOverlay } from '../../lib/drawOverlay';
import { cellRect, modelRegion } from '../../lib/overlayGeometry';
import type { OverlayModel } from '../../lib/overlayModel';
import { moveCursor, type TokenCursor } from '../../lib/tokenCursor';

export interface TokenCanvasProps {
  method: string;
  model: OverlayModel;
  picture: { width: number; height: number };
  /** Displayed size of the picture in CSS pixels (before zoom). */
  display: { width: number; height: number };
  heatmap: boolean;
  positionKey: string;
  /** 'overlay' for a method's main view; the frame strip's thumbnails use another id so automation counts one overlay per method. */
  testId?: string;
  /** Where the keyboard cursor is (or was last: focus comes back to it); pass with `onCursor`. */
  cursor?: TokenCursor | null;
  /** Whether the cursor is in use (outlined): the overlay has keyboard focus. */
  cursorShown?: boolean;
  /** Makes the overlay focusable with a token cursor: called with the new cursor, or null when focus leaves. */
  onCursor?: (cursor: TokenCursor | null) => void;
  /** Text naming the method, for the accessible name. */
  label?: string;
}

/** Paints at device resolution; drawing is skipped where there is no 2D context (DOM-less tests). */
export function TokenCanvas({ method, model, picture, display, heatmap, positionKey, testId = 'overlay', cursor = null, cursorShown = false, onCursor, label = method }: TokenCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const pointerFocus = useRef(false);
  const ratio = typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(display.width * ratio));
  const height = Math.max(1, Math.round(display.height * ratio));
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const stats = drawOverlay(ctx, model, { picture, scale: width / picture.width, heatmap });
    canvas.dataset.cellsKept = String(stats.kept);
    canvas.dataset.cellsDropped = String(stats.dropped);
    canvas.dataset.cellsMerged = String(stats.merged);
    canvas.dataset.drawnAt = String(performance.now());
    delete canvas.dataset.paintedAt;
    // A timer queued from the next animation frame runs after that frame's paint.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => (timer = setTimeout(() => (canvas.dataset.paintedAt = String(performance.now())), 0))) : undefined;
    return () => {
      if (frame !== undefined) cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [model, picture, width, height, heatmap]);

  const grid = { rows: model.rows, cols: model.cols };
  const keyboard = onCursor
    ? {
        tabIndex: 0,
        role: 'application',
        'aria-roledescription': 'token overlay',
        'aria-label': `${label}: ${model.kept} visual tokens kept at this stage. Arrow keys move a token cursor; Home and End go to the row's ends, Ctrl+Home and Ctrl+End to the first and last token.`,
        onPointerDown: () => (pointerFocus.current = true),
        onFocus: (e: FocusEvent) => {
          if (e.target !== e.currentTarget) return;
          if (!pointerFocus.current) onCursor(cursor ?? { row: 0, col: 0 });
          pointerFocus.current = false;
        },
        onBlur: () => onCursor(null),
        onKeyDown: (e: KeyboardEvent) => {
          const next = moveCursor(cursor, e.key, grid, e.ctrlKey || e.metaKey);
          if (!next) return; // + − 0 still reach the picture stage (zoom)
          e.preventDefault();
          e.stopPropagation(); // arrows move the cursor here, not the picture
          onCursor(next);
        },
      }
    : { role: 'img', 'aria-label': `${label}: ${model.kept} visual tokens kept at this stage` };
  const box = cursor && cursorShown && onCursor ? cellRect(modelRegion(picture.width, picture.height), grid, Math.min(cursor.row, grid.rows - 1), Math.min(cursor.col, grid.cols - 1)) : null;
  return (
    <>
      <canvas
        ref={ref}
        className="token-canvas"
        width={width}
        height={height}
        data-testid={testId}
        data-method={method}
        data-kept={model.kept}
        data-frame={model.frame}
        data-position={positionKey}
        data-heatmap={heatmap}
        {...keyboard}
      />
      {box ? (
        <div
          className="token-cursor"
          data-testid="token-cursor"
          data-row={cursor!.row}
          data-col={cursor!.col}
          aria-hidden="true"
          style={{ left: `${(box.x / picture.width) * 100}%`, top: `${(box.y / picture.height) * 100}%`, width: `${(box.w / picture.width) * 100}%`, height: `${(box.h / picture.height) * 100}%` }}
        />
      ) : null}
    </>
  );
}
