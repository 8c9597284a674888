/**
 * One run's lifecycle as a pure reducer: idle → running (progress per phase) → done | failed |
 * cancelled. Progress keeps a fixed row per phase so the panel never changes height mid-run.
 */
import type { TaskProgress } from '../../shared/schemas/app';
import type { RunStartRequest, RunStartResponse } from '../../shared/schemas/runs';

/** The phases a run reports, in order (model load happens only when the model was not loaded). */
export const RUN_PHASES = ['load', 'vision', 'prefill', 'decode'] as const;
/** One of RUN_PHASES. */
export type RunPhase = (typeof RUN_PHASES)[number];

/** The latest progress event of one phase. */
export interface PhaseProgress {
  done: number;
  total?: number;
  message?: string;
}

/** The current (or last) run as the panel and viewer show it. */
export interface RunState {
  status: 'idle' | 'running' | 'done' | 'failed' | 'cancelled';
  request: RunStartRequest | null;
  progress: Partial<Record<RunPhase, PhaseProgress>>;
  /** The latest progress message, whatever its phase. */
  message: string;
  response: RunStartResponse | null;
  /** performance.now() at start and at the response, for the status line. */
  startedAt: number;
  finishedAt: number;
}

/** What happens to a run: it starts, reports progress, and ends one of three ways. */
export type RunAction =
  | { type: 'started'; request: RunStartRequest; at: number }
  | { type: 'progress'; progress: TaskProgress }
  | { type: 'finished'; response: RunStartResponse; at: number }
  | { type: 'failed'; at: number }
  | { type: 'cancelled'; at: number };

/** Before the first run. */
export const initialRun: RunState = { status: 'idle', request: null, progress: {}, message: '', response: null, startedAt: 0, finishedAt: 0 };

function isPhase(phase: string): phase is RunPhase {
  return (RUN_PHASES as readonly string[]).includes(phase);
}

/**
 * Applies one action. A new run keeps the previous response on screen until its own arrives (so
 * the viewer does not blank out); progress of unknown phases only updates the message.
 */
export function runReducer(state: RunState, action: RunAction): RunState {
  switch (action.type) {
    case 'started':
      return { ...state, status: 'running', request: action.request, progress: {}, message: 'Starting…', startedAt: action.at, finishedAt: 0 };
    case 'progress': {
      if (state.status !== 'running') return state;
      const { phase, done, total, message } = action.progress;
      const progress = isPhase(phase) ? { ...state.progress, [phase]: { done, ...(total === undefined ? {} : { total }), ...(message === undefined ? {} : { message }) } } : state.progress;
      return { ...state, progress, message: message ?? state.message };
    }
    case 'finished':
      return { ...state, status: 'done', response: action.response, message: '', finishedAt: action.at };
    case 'failed':
      return { ...state, status: 'failed', message: '', finishedAt: action.at };
    case 'cancelled':
      return { ...state, status: 'cancelled', message: '', finishedAt: action.at };
  }
}
