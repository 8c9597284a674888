/**
 * For a video: one small overlay per frame, so every frame's kept and dropped tokens are visible at
 * once; choosing one shows it in the large views. Arrow keys move between frames (radio group).
 */
import type { TokenTrace } from '../../../shared/trace';
import { overlayModel } from '../../lib/overlayModel';
import { TokenCanvas } from './TokenCanvas';

export interface FrameStripProps {
  method: string;
  trace: TokenTrace;
  stepIndex: number;
  positionKey: string;
  picture: { width: number; height: number };
  frame: number;
  onFrame(index: number): void;
  heatmap: boolean;
}

const THUMB = 72;

/** Nothing for single-frame inputs. */
export function FrameStrip({ method, trace, stepIndex, positionKey, picture, frame, onFrame, heatmap }: FrameStripProps) {
  if (trace.grid.frames < 2) return null;
  const scale = THUMB / Math.max(picture.width, picture.height);
  const display = { width: picture.width * scale, height: picture.height * scale };
  return (
    <div
      className="frame-strip"
      role="radiogroup"
      aria-label={`${method}: frames`}
      onKeyDown={(e) => {
        const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
        if (step === 0) return;
        e.preventDefault();
        const next = Math.min(trace.grid.frames - 1, Math.max(0, frame + step));
        onFrame(next);
        e.currentTarget.querySelectorAll<HTMLButtonElement>('[role="radio"]')[next]?.focus();
      }}
    >
      {Array.from({ length: trace.grid.frames }, (_, f) => {
        const model = overlayModel(trace, stepIndex, f);
        return (
          <button key={f} type="button" role="radio" aria-checked={f === frame} tabIndex={f === frame ? 0 : -1} className="frame-thumb" style={display} onClick={() => onFrame(f)} title={`Frame ${f + 1}: ${model.keptInFrame} kept`} data-testid="frame">
            <TokenCanvas testId="frame-overlay" method={method} model={model} picture={picture} display={display} heatmap={heatmap} positionKey={positionKey} />
            <span className="frame-number">{f + 1}</span>
          </button>
        );
      })}
    </div>
  );
}
