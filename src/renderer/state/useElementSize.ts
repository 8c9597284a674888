/**
 * The content-box size of an element, kept current with ResizeObserver. Until the first
 * measurement (and where layout is unavailable, as in DOM-less tests) it reports `fallback`.
 * The first measurement is taken before the browser paints (layout effect), so a new view never
 * shows a frame at the fallback size.
 */
import { useLayoutEffect, useState, type RefObject } from 'react';

/** Width and height in CSS pixels. */
export interface Size {
  width: number;
  height: number;
}

/** Observes `ref`'s element; returns `fallback` while it has no layout. */
export function useElementSize(ref: RefObject<HTMLElement | null>, fallback: Size): Size {
  const [size, setSize] = useState<Size>(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const update = () => {
      const { width, height } = el.getBoundingClientRect();
      if (width > 0 && height > 0) setSize((s) => (s.width === width && s.height === height ? s : { width, height }));
    };
    update();
    const observer = new ResizeObserver(update);
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}
