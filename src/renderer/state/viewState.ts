/**
 * What linked views share: the stage position on the timeline, zoom and pan, the heat-map toggle
 * and the video frame. One reducer for all views of a run, so moving one moves them all.
 */

/** The state every linked view of a run shares. */
export interface ViewState {
  /** Index into the run's stage positions. */
  position: number;
  zoom: number;
  /** Pan in fractions of the picture's displayed size (so it means the same in views of any size). */
  panX: number;
  panY: number;
  heatmap: boolean;
  frame: number;
}

/** Changes to the shared view; `positions`/`frames` bound the index they set. */
export type ViewAction =
  | { type: 'reset'; positions: number }
  | { type: 'position'; index: number; positions: number }
  | { type: 'zoom'; factor: number }
  | { type: 'pan'; dx: number; dy: number }
  | { type: 'resetZoom' }
  | { type: 'heatmap'; on: boolean }
  | { type: 'frame'; index: number; frames: number };

/** Largest zoom: a 24×24 grid's cell then spans about two-thirds of a 600 px view. */
export const MAX_ZOOM = 16;

/** A fresh view of a run with `positions` stage positions: at the last one (what reached the LLM's end). */
export function initialView(positions: number): ViewState {
  return { position: Math.max(0, positions - 1), zoom: 1, panX: 0, panY: 0, heatmap: false, frame: 0 };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Applies one action; zoom stays in [1, MAX_ZOOM] and pan keeps part of the picture in view. */
export function viewReducer(state: ViewState, action: ViewAction): ViewState {
  switch (action.type) {
    case 'reset':
      return initialView(action.positions);
    case 'position':
      return { ...state, position: clamp(Math.round(action.index), 0, Math.max(0, action.positions - 1)) };
    case 'zoom': {
      const zoom = clamp(state.zoom * action.factor, 1, MAX_ZOOM);
      return zoom === 1 ? { ...state, zoom, panX: 0, panY: 0 } : { ...state, zoom };
    }
    case 'pan': {
      // At zoom z the picture overhangs the view by (z − 1)/2 of its size on each side.
      const limit = (state.zoom - 1) / 2;
      return { ...state, panX: clamp(state.panX + action.dx, -limit, limit), panY: clamp(state.panY + action.dy, -limit, limit) };
    }
    case 'resetZoom':
      return { ...state, zoom: 1, panX: 0, panY: 0 };
    case 'heatmap':
      return { ...state, heatmap: action.on };
    case 'frame':
      return { ...state, frame: clamp(action.index, 0, Math.max(0, action.frames - 1)) };
  }
}
