/**
 * A value that follows `value` one painted frame late. The metrics panel takes a run's response
 * this way: recharts' first render of three charts costs tens of ms (its store updates run
 * synchronously, so useDeferredValue cannot slice them), and started before the browser paints
 * it would hold the overlays — the run's first feedback — off the screen.
 */
import { useEffect, useState } from 'react';

/** `value`, updated by a timer queued from the animation frame after each change (at once where there are no frames). */
export function useAfterPaint<T>(value: T): T {
  const [late, setLate] = useState(value);
  useEffect(() => {
    if (typeof requestAnimationFrame !== 'function') {
      setLate(() => value);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => (timer = setTimeout(() => setLate(() => value), 0)));
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [value]);
  return late;
}
