/**
 * The overlay of one method: a canvas over the picture, repainted whenever the model, size or
 * heat-map setting changes. The element carries the automation hooks: `data-testid="overlay"`,
 * `data-method`, `data-kept` (live tokens at the current stage, from the trace) and what was
 * painted (`data-cells-kept|dropped|merged`), plus `data-drawn-at` (performance.now() of the last
 * paint) so tests can time click → overlay.
 */
import { useEffect, useRef } from 'react';
import { drawOverlay } from '../../lib/drawOverlay';
import type { OverlayModel } from '../../lib/overlayModel';

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
}

/** Paints at device resolution; drawing is skipped where there is no 2D context (DOM-less tests). */
export function TokenCanvas({ method, model, picture, display, heatmap, positionKey, testId = 'overlay' }: TokenCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
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
  }, [model, picture, width, height, heatmap]);
  return (
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
      aria-label={`${method}: ${model.kept} visual tokens kept at this stage`}
      role="img"
    />
  );
}
