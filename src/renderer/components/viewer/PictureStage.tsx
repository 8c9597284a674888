/**
 * The picture with its overlay, zoomable and pannable: wheel or +/− zooms, dragging or the arrow
 * keys pan, 0 resets. Zoom and pan live in the shared view state, so linked views follow. Hovering
 * reports the picture-pixel position under the pointer (null when it leaves).
 */
import { useRef, type KeyboardEvent, type PointerEvent, type ReactNode, type WheelEvent } from 'react';
import { fitContain } from '../../lib/overlayGeometry';
import { useElementSize } from '../../state/useElementSize';
import type { ViewAction, ViewState } from '../../state/viewState';

export interface PictureStageProps {
  src: string;
  alt: string;
  picture: { width: number; height: number };
  view: Pick<ViewState, 'zoom' | 'panX' | 'panY'>;
  dispatch(action: ViewAction): void;
  onHover(point: { x: number; y: number } | null): void;
  /** Renders the overlay for the displayed size. */
  children(display: { width: number; height: number }): ReactNode;
}

const FALLBACK = { width: 320, height: 240 };

/** Fits the picture into the stage (contain), then applies the shared zoom and pan. */
export function PictureStage({ src, alt, picture, view, dispatch, onHover, children }: PictureStageProps) {
  const stage = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; y: number } | null>(null);
  const box = useElementSize(stage, FALLBACK);
  const fit = fitContain(picture, box);
  const display = { width: picture.width * fit.scale, height: picture.height * fit.scale };

  const onWheel = (e: WheelEvent) => dispatch({ type: 'zoom', factor: Math.exp(-e.deltaY / 400) });
  const onPointerDown = (e: PointerEvent) => {
    drag.current = { x: e.clientX, y: e.clientY };
    (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent) => {
    if (drag.current && view.zoom > 1) {
      dispatch({ type: 'pan', dx: (e.clientX - drag.current.x) / display.width, dy: (e.clientY - drag.current.y) / display.height });
      drag.current = { x: e.clientX, y: e.clientY };
    }
    const rect = frame.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return;
    onHover({ x: ((e.clientX - rect.left) / rect.width) * picture.width, y: ((e.clientY - rect.top) / rect.height) * picture.height });
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const pan = 0.1;
    const actions: Record<string, ViewAction> = {
      '+': { type: 'zoom', factor: 1.25 },
      '=': { type: 'zoom', factor: 1.25 },
      '-': { type: 'zoom', factor: 0.8 },
      '0': { type: 'resetZoom' },
      ArrowLeft: { type: 'pan', dx: pan, dy: 0 },
      ArrowRight: { type: 'pan', dx: -pan, dy: 0 },
      ArrowUp: { type: 'pan', dx: 0, dy: pan },
      ArrowDown: { type: 'pan', dx: 0, dy: -pan },
    };
    const action = actions[e.key];
    if (!action) return;
    e.preventDefault();
    dispatch(action);
  };

  return (
    <div
      ref={stage}
      className="picture-stage"
      tabIndex={0}
      aria-label={`${alt}: zoom with + and −, pan with the arrow keys, 0 resets`}
      onWheel={onWheel}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={() => (drag.current = null)}
      onPointerLeave={() => {
        drag.current = null;
        onHover(null);
      }}
      onKeyDown={onKeyDown}
      data-zoom={view.zoom.toFixed(2)}
    >
      <div
        ref={frame}
        className="picture-frame"
        style={{
          left: fit.x,
          top: fit.y,
          width: display.width,
          height: display.height,
          transform: `translate(${view.panX * display.width}px, ${view.panY * display.height}px) scale(${view.zoom})`,
        }}
      >
        <img className="picture" src={src} alt={alt} draggable={false} />
        {children(display)}
      </div>
    </div>
  );
}
