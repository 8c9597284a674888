/**
 * The run's linked views: one MethodView per method of the response (the unpruned model first),
 * sharing stage position, zoom, pan, heat map and frame. A new response resets the view to the
 * last stage (what the LLM finally saw).
 */
import { useEffect, useMemo, useReducer } from 'react';
import type { MediaItem } from '../../../shared/schemas/app';
import type { MethodSummary } from '../../../shared/schemas/methods';
import type { RunStartResponse } from '../../../shared/schemas/runs';
import { methodRuns, BASELINE_ID } from '../../lib/runResults';
import { INPUT_POSITION, stagePositions } from '../../lib/stagePositions';
import { initialView, viewReducer } from '../../state/viewState';
import { MethodView } from './MethodView';
import { ViewerToolbar } from './ViewerToolbar';

export interface RunViewerProps {
  item: MediaItem;
  src: string;
  response: RunStartResponse;
  methods: MethodSummary[] | null;
}

/** Label of a method id: the registry's label, 'Unpruned' for the baseline. */
export function methodLabel(id: string, methods: MethodSummary[] | null): string {
  if (id === BASELINE_ID) return 'Unpruned';
  return methods?.find((m) => m.id === id)?.label ?? id;
}

/** The toolbar and the grid of views. */
export function RunViewer({ item, src, response, methods }: RunViewerProps) {
  const runs = useMemo(() => methodRuns(response), [response]);
  const positions = useMemo(() => stagePositions(runs.flatMap((r) => (r.trace ? [r.trace] : []))), [runs]);
  const [view, dispatch] = useReducer(viewReducer, positions.length, initialView);
  useEffect(() => dispatch({ type: 'reset', positions: positions.length }), [positions]);
  const position = positions[Math.min(view.position, positions.length - 1)] ?? INPUT_POSITION;
  // One object per picture size: the canvases repaint when it changes, not on every render.
  const picture = useMemo(() => ({ width: item.width, height: item.height }), [item.width, item.height]);
  return (
    <div className="run-viewer" data-testid="run-viewer">
      <ViewerToolbar positions={positions} view={view} dispatch={dispatch} />
      <div className="method-views" style={{ gridTemplateColumns: `repeat(${Math.min(runs.length, 3)}, minmax(0, 1fr))` }}>
        {runs.map((run, i) => (
          <MethodView key={`${i}-${run.method}`} run={run} label={methodLabel(run.method, methods)} position={position} src={src} picture={picture} view={view} dispatch={dispatch} />
        ))}
      </div>
    </div>
  );
}
