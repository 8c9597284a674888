/** Mounts a React tree into happy-dom's document with act(), without a testing library. */
import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** The mounted container plus helpers to query it and to unmount. */
export interface Mounted {
  container: HTMLElement;
  all(testId: string): HTMLElement[];
  one(testId: string): HTMLElement;
  unmount(): void;
}

/** Renders `node` and flushes effects. */
export async function mount(node: ReactNode): Promise<Mounted> {
  const container = document.createElement('div');
  document.body.appendChild(container);
  let root: Root | undefined;
  await act(async () => {
    root = createRoot(container);
    root.render(node);
  });
  const all = (testId: string) => Array.from(container.querySelectorAll<HTMLElement>(`[data-testid="${testId}"]`));
  return {
    container,
    all,
    one(testId) {
      const found = all(testId);
      if (found.length !== 1) throw new Error(`expected one [data-testid="${testId}"], found ${found.length}`);
      return found[0]!;
    },
    unmount() {
      act(() => root?.unmount());
      container.remove();
    },
  };
}

/** Runs `fn` inside act() and waits for the promises it started to settle. */
export async function settle(fn: () => void | Promise<void> = () => {}): Promise<void> {
  await act(async () => {
    await fn();
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  });
}

/** Sets `files` on a file input and fires change, as a user picking files would. */
export async function pickFiles(input: HTMLElement, files: File[]): Promise<void> {
  Object.defineProperty(input, 'files', { value: files, configurable: true });
  await settle(() => {
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
}
