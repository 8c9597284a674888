/**
 * Starts and cancels `run:start` calls. One run at a time: starting while one is in flight is
 * refused by the caller (the Run button is disabled), and cancelling aborts the call, which the
 * engine checks between layers. Failures become notices with the engine's hint.
 *
 * Progress arrives once per layer (dozens of events in a run of ~100 ms); each would re-render
 * the app while the engine still needs the CPU, so events are queued and applied once per
 * animation frame. Nobody can see more than one update per frame anyway.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import type { TaskProgress } from '../../shared/schemas/app';
import { ApiError } from '../../shared/errors';
import type { RunStartRequest } from '../../shared/schemas/runs';
import { useClient } from './client';
import type { NoticesApi } from './notices';
import { initialRun, runReducer, type RunState } from './runState';

/** The run state and its two actions. */
export interface RunApi extends RunState {
  start(request: RunStartRequest): Promise<void>;
  cancel(): void;
}

/** Owns the current run; reports failures through `notices`. */
export function useRun(notices: Pick<NoticesApi, 'pushError'>): RunApi {
  const client = useClient();
  const [state, dispatch] = useReducer(runReducer, initialRun);
  const controller = useRef<AbortController | null>(null);
  const queued = useRef<TaskProgress[]>([]);
  const frame = useRef<number | null>(null);
  const { pushError } = notices;

  const dropQueued = useCallback(() => {
    if (frame.current !== null) cancelFrame(frame.current);
    frame.current = null;
    queued.current = [];
  }, []);
  useEffect(() => dropQueued, [dropQueued]);

  const onProgress = useCallback((progress: TaskProgress) => {
    queued.current.push(progress);
    frame.current ??= nextFrame(() => {
      frame.current = null;
      const events = queued.current;
      queued.current = [];
      // Dispatched together: React batches them into one render.
      for (const p of events) dispatch({ type: 'progress', progress: p });
    });
  }, []);

  const start = useCallback(
    async (request: RunStartRequest) => {
      controller.current?.abort();
      const abort = new AbortController();
      controller.current = abort;
      dropQueued();
      dispatch({ type: 'started', request, at: performance.now() });
      try {
        const response = await client.call('run:start', request, { signal: abort.signal, onProgress: (p) => controller.current === abort && onProgress(p) });
        if (controller.current === abort) {
          dropQueued(); // the response says it all; late progress would only cost a render
          dispatch({ type: 'finished', response, at: performance.now() });
        }
      } catch (err) {
        if (controller.current !== abort) return; // superseded by a newer run
        dropQueued();
        if (err instanceof ApiError && err.code === 'cancelled') dispatch({ type: 'cancelled', at: performance.now() });
        else {
          dispatch({ type: 'failed', at: performance.now() });
          pushError(err);
        }
      } finally {
        if (controller.current === abort) controller.current = null;
      }
    },
    [client, pushError, onProgress, dropQueued],
  );

  const cancel = useCallback(() => controller.current?.abort(), []);
  return useMemo(() => ({ ...state, start, cancel }), [state, start, cancel]);
}

/** requestAnimationFrame where there is one (browsers), else a macrotask (DOM-less tests). */
function nextFrame(fn: () => void): number {
  return typeof requestAnimationFrame === 'function' ? requestAnimationFrame(fn) : (setTimeout(fn, 16) as unknown as number);
}

function cancelFrame(id: number): void {
  if (typeof cancelAnimationFrame === 'function') cancelAnimationFrame(id);
  else clearTimeout(id);
}
