/**
 * One method's view in the side-by-side grid: its name and kept count at the current stage, the
 * picture with its overlay (zoom/pan shared with the other views), the hover line (fed by the
 * pointer, or by the keyboard's token cursor while the overlay has focus), the frame strip for
 * videos, and its answer with badges.
 */
import { useMemo, useState } from 'react';
import type { TokenCursor } from '../../lib/tokenCursor';
import { overlayModel } from '../../lib/overlayModel';
import type { MethodRun } from '../../lib/runResults';
import { stepIndexAt, stepLabelsAt, type StagePosition } from '../../lib/stagePositions';
import type { ViewAction, ViewState } from '../../state/viewState';
import { AnswerLine } from './AnswerLine';
import { FrameStrip } from './FrameStrip';
import { PictureStage } from './PictureStage';
import { TokenCanvas } from './TokenCanvas';
import { TokenCard } from './TokenCard';

export interface MethodViewProps {
  run: MethodRun;
  label: string;
  position: StagePosition;
  src: string;
  picture: { width: number; height: number };
  view: ViewState;
  dispatch(action: ViewAction): void;
}

/** A method without a trace is shown without an overlay, saying so. */
export function MethodView({ run, label, position, src, picture, view, dispatch }: MethodViewProps) {
  const [point, setPoint] = useState<{ x: number; y: number } | null>(null);
  // The cursor's position outlives focus, so tabbing back returns to the same token.
  const [cursor, setCursor] = useState<TokenCursor | null>(null);
  const [cursorShown, setCursorShown] = useState(false);
  const onCursor = (next: TokenCursor | null) => {
    setCursorShown(next !== null);
    if (next) setCursor(next);
  };
  const { trace } = run;
  const stepIndex = trace ? stepIndexAt(trace, position) : -1;
  const frame = trace ? Math.min(view.frame, trace.grid.frames - 1) : 0;
  const model = useMemo(() => (trace ? overlayModel(trace, stepIndex, frame) : null), [trace, stepIndex, frame]);
  const steps = trace ? stepLabelsAt(trace, position) : [];
  return (
    <figure className="method-view" data-testid="method-view" data-method={run.method}>
      <figcaption className="method-view-head">
        <strong>{label}</strong>
        <span className="muted">{model ? `${model.kept} tokens kept` : 'no token trace'}</span>
        <span className="muted method-view-step">{steps.length ? steps.join('; ') : '\u00a0'}</span>
      </figcaption>
      <PictureStage src={src} alt={`${label} view`} picture={picture} view={view} dispatch={dispatch} onHover={setPoint}>
        {(display) => (model ? <TokenCanvas method={run.method} label={label} model={model} picture={picture} display={display} heatmap={view.heatmap} positionKey={position.key} cursor={cursor} cursorShown={cursorShown} onCursor={onCursor} /> : null)}
      </PictureStage>
      {model ? <TokenCard model={model} picture={picture} point={point} cursor={cursorShown ? cursor : null} /> : <p className="token-card muted">This run sent no token trace for {label}.</p>}
      {trace ? <FrameStrip method={run.method} trace={trace} stepIndex={stepIndex} positionKey={position.key} picture={picture} frame={frame} onFrame={(index) => dispatch({ type: 'frame', index, frames: trace.grid.frames })} heatmap={view.heatmap} /> : null}
      <AnswerLine result={run.result} />
    </figure>
  );
}
