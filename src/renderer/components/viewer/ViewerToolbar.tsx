/** Above the linked views: the stage slider, the heat-map switch, zoom buttons and the legend. */
import type { StagePosition } from '../../lib/stagePositions';
import type { ViewAction, ViewState } from '../../state/viewState';
import { Legend } from './Legend';
import { StageSlider } from './StageSlider';

/** Every control acts on the shared view state, so all views follow. */
export function ViewerToolbar({ positions, view, dispatch }: { positions: readonly StagePosition[]; view: ViewState; dispatch(action: ViewAction): void }) {
  return (
    <div className="viewer-toolbar">
      <StageSlider positions={positions} index={view.position} onChange={(index) => dispatch({ type: 'position', index, positions: positions.length })} />
      <label className="toggle">
        <input type="checkbox" role="switch" checked={view.heatmap} data-testid="heatmap" onChange={(e) => dispatch({ type: 'heatmap', on: e.currentTarget.checked })} />
        Heat map of deciding scores
      </label>
      <div className="zoom-buttons" role="group" aria-label="Zoom">
        <button type="button" aria-label="Zoom out" onClick={() => dispatch({ type: 'zoom', factor: 0.8 })}>
          −
        </button>
        <span className="zoom-value">{Math.round(view.zoom * 100)}%</span>
        <button type="button" aria-label="Zoom in" onClick={() => dispatch({ type: 'zoom', factor: 1.25 })}>
          +
        </button>
        <button type="button" onClick={() => dispatch({ type: 'resetZoom' })}>
          Fit
        </button>
      </div>
      <Legend heatmap={view.heatmap} />
    </div>
  );
}
