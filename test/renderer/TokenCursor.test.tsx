// @vitest-environment happy-dom
/**
 * The hover card without a pointer: each overlay takes keyboard focus, the arrow keys (Home/End,
 * Ctrl+Home/End) move a token cursor over the grid instead of panning, the card shows the token's
 * index, position, score and fate, and a polite live region announces it. Focus from a pointer
 * press leaves the hover card in charge; zoom keys still reach the picture.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Viewer } from '../../src/renderer/components/Viewer';
import { TOKEN_CARD_HINT } from '../../src/renderer/components/viewer/TokenCard';
import { moveCursor } from '../../src/renderer/lib/tokenCursor';
import { ClientProvider } from '../../src/renderer/state/client';
import type { MediaItem } from '../../src/shared/schemas/app';
import { fakeClient } from './fakeClient';
import { mount, settle, type Mounted } from './render';
import { twoMethodResponse } from './runFixtures';

const PIXEL = 'data:image/webp;base64,UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==';
const item: MediaItem = { id: 'm1', name: 'shapes.png', kind: 'image', format: 'png', width: 640, height: 480, sizeBytes: 100, thumbnail: PIXEL };

let view: Mounted | undefined;
afterEach(() => {
  view?.unmount();
  view = undefined;
});

async function render(): Promise<Mounted> {
  const client = fakeClient({ 'media:preview': async ({ id }) => ({ id, dataUrl: PIXEL, width: 640, height: 480 }) });
  view = await mount(
    <ClientProvider client={client}>
      <Viewer item={item} response={twoMethodResponse('m1').response} methods={null} />
    </ClientProvider>,
  );
  await settle();
  return view;
}

/** The parts of the top-k method's view (FastV-like: keeps 6 of the 4×6 tokens after decoder layer 2, scores 1/(i+1)). */
function topk(v: Mounted) {
  const root = v.container.querySelector<HTMLElement>('[data-testid="method-view"][data-method="topk"]')!;
  return {
    overlay: root.querySelector<HTMLElement>('[data-testid="overlay"]')!,
    card: () => root.querySelector<HTMLElement>('[data-testid="token-card"]')!,
    announced: () => root.querySelector<HTMLElement>('[data-testid="token-announce"]')!,
    cursor: () => root.querySelector<HTMLElement>('[data-testid="token-cursor"]'),
    stage: root.querySelector<HTMLElement>('.picture-stage')!,
    frame: root.querySelector<HTMLElement>('.picture-frame')!,
  };
}

const press = (el: HTMLElement, key: string, init: KeyboardEventInit = {}) => settle(() => void el.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, ...init })));

describe('the keyboard token cursor', () => {
  it('focus shows the first token; arrows, Home/End and Ctrl+Home/End move it, with the card and the live region following', async () => {
    const v = await render();
    const t = topk(v);
    expect(t.overlay.tabIndex).toBe(0);
    expect(t.overlay.getAttribute('role')).toBe('application');
    expect(t.overlay.getAttribute('aria-label')).toContain('Arrow keys move a token cursor');
    expect(t.card().textContent).toBe(TOKEN_CARD_HINT);
    expect(t.announced().getAttribute('aria-live')).toBe('polite');

    await settle(() => t.overlay.focus());
    expect(t.card().textContent).toBe('Token 0 (row 0, col 0) · score 1.000 · dropped after decoder layer 2');
    expect(t.card().dataset.source).toBe('keyboard');
    expect(t.announced().textContent).toBe(t.card().textContent);
    expect([t.cursor()?.dataset.row, t.cursor()?.dataset.col]).toEqual(['0', '0']);

    const transform = t.frame.style.transform;
    for (let i = 0; i < 3; i++) await press(t.overlay, 'ArrowRight');
    expect(t.card().textContent).toBe('Token 3 (row 0, col 3) · kept');
    expect(t.frame.style.transform).toBe(transform); // the arrows moved the cursor, not the picture
    await press(t.overlay, 'ArrowDown');
    expect(t.card().textContent).toBe('Token 9 (row 1, col 3) · score 0.1000 · dropped after decoder layer 2');
    expect(t.announced().textContent).toBe(t.card().textContent);
    // Cell geometry: column 3 of 6, row 1 of 4, on the 480×480 square centred in 640×480.
    const box = t.cursor()!.style;
    expect([box.left, box.top, box.width, box.height]).toEqual([`${((80 + 3 * 80) / 640) * 100}%`, `${(120 / 480) * 100}%`, `${(80 / 640) * 100}%`, `${(120 / 480) * 100}%`]);
    await press(t.overlay, 'End');
    expect(t.card().textContent).toBe('Token 11 (row 1, col 5) · score 0.08333 · dropped after decoder layer 2');
    await press(t.overlay, 'End', { ctrlKey: true });
    expect(t.card().textContent).toBe('Token 23 (row 3, col 5) · kept');
    await press(t.overlay, 'ArrowRight');
    await press(t.overlay, 'ArrowDown');
    expect(t.card().textContent).toBe('Token 23 (row 3, col 5) · kept'); // clamped at the edge
    await press(t.overlay, 'Home');
    expect(t.card().textContent).toContain('Token 18 (row 3, col 0)');
    await press(t.overlay, 'Home', { ctrlKey: true });
    expect(t.card().textContent).toContain('Token 0 (row 0, col 0)');
  });

  it('follows the stage slider, lets zoom keys through, and hands the card back to the pointer on blur', async () => {
    const v = await render();
    const t = topk(v);
    await settle(() => t.overlay.focus());
    const slider = v.one('stage') as HTMLInputElement;
    await settle(() => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(slider, '0');
      slider.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(t.card().textContent).toBe('Token 0 (row 0, col 0) · kept'); // before any step, every token lives
    await press(t.overlay, '+');
    expect(t.stage.dataset.zoom).toBe('1.25');
    await settle(() => t.overlay.blur());
    expect(t.cursor()).toBeNull();
    expect(t.card().textContent).toBe(TOKEN_CARD_HINT);
    expect(t.announced().textContent).toBe('');
    // Back in: the cursor is where it was left.
    await settle(() => t.overlay.focus());
    await press(t.overlay, 'ArrowDown');
    expect(t.card().textContent).toContain('Token 6 (row 1, col 0)');
  });

  it('focus from a pointer press does not start the cursor', async () => {
    const v = await render();
    const t = topk(v);
    await settle(() => {
      t.overlay.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
      t.overlay.focus();
    });
    expect(t.cursor()).toBeNull();
    expect(t.card().dataset.source).toBe('pointer');
    await press(t.overlay, 'ArrowRight'); // a key press then starts it where it was
    expect(t.cursor()).not.toBeNull();
  });

  it('moveCursor: starts at the first token, clamps to the grid, ignores other keys', () => {
    const grid = { rows: 2, cols: 3 };
    expect(moveCursor(null, 'ArrowDown', grid)).toEqual({ row: 0, col: 0 });
    expect(moveCursor({ row: 5, col: 9 }, 'ArrowLeft', grid)).toEqual({ row: 1, col: 1 }); // a cursor from a larger grid is clamped first
    expect(moveCursor({ row: 0, col: 0 }, 'ArrowUp', grid)).toEqual({ row: 0, col: 0 });
    expect(moveCursor({ row: 0, col: 1 }, 'Enter', grid)).toBeNull();
    expect(moveCursor({ row: 0, col: 1 }, 'End', grid, true)).toEqual({ row: 1, col: 2 });
  });
});
