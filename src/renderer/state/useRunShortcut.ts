/** Ctrl/Cmd+Enter anywhere in the window runs (the Run button's shortcut). */
import { useEffect, useRef } from 'react';

/** Calls the latest `onRun` on Ctrl+Enter or Cmd+Enter. */
export function useRunShortcut(onRun: () => void): void {
  const latest = useRef(onRun);
  latest.current = onRun;
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey)) return;
      e.preventDefault();
      latest.current();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
