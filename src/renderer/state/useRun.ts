/**
 * Starts and cancels `run:start` calls. One run at a time: starting while one is in flight is
 * refused by the caller (the Run button is disabled), and cancelling aborts the call, which the
 * engine checks between layers. Failures become notices with the engine's hint.
 */
import { useCallback, useMemo, useReducer, useRef } from 'react';
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
  const { pushError } = notices;

  const start = useCallback(
    async (request: RunStartRequest) => {
      controller.current?.abort();
      const abort = new AbortController();
      controller.current = abort;
      dispatch({ type: 'started', request, at: performance.now() });
      try {
        const response = await client.call('run:start', request, { signal: abort.signal, onProgress: (progress) => dispatch({ type: 'progress', progress }) });
        if (controller.current === abort) dispatch({ type: 'finished', response, at: performance.now() });
      } catch (err) {
        if (controller.current !== abort) return; // superseded by a newer run
        if (err instanceof ApiError && err.code === 'cancelled') dispatch({ type: 'cancelled', at: performance.now() });
        else {
          dispatch({ type: 'failed', at: performance.now() });
          pushError(err);
        }
      } finally {
        if (controller.current === abort) controller.current = null;
      }
    },
    [client, pushError],
  );

  const cancel = useCallback(() => controller.current?.abort(), []);
  return useMemo(() => ({ ...state, start, cancel }), [state, start, cancel]);
}
