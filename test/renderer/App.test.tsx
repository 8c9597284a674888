// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/renderer/App';
import { ClientProvider } from '../../src/renderer/state/client';
import { ApiError } from '../../src/shared/errors';
import type { MediaItem } from '../../src/shared/schemas/app';
import { fakeClient, type FakeHandlers } from './fakeClient';
import { mount, pickFiles, settle, type Mounted } from './render';

const PIXEL = 'data:image/webp;base64,UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==';

/** An engine stand-in that accepts files whose bytes start with "IMG" and refuses the rest. */
function engine(): FakeHandlers & { items: MediaItem[] } {
  const items: MediaItem[] = [];
  return {
    items,
    'media:list': async () => [...items],
    'media:import': async ({ name, data }) => {
      if (new TextDecoder().decode(data.subarray(0, 3)) !== 'IMG') {
        throw new ApiError('bad-media', `"${name}" is not an image TokenLab can read.`, { hint: 'Convert it to PNG or JPEG.' });
      }
      const item: MediaItem = { id: `id-${items.length + 1}`, name, kind: 'image', format: 'png', width: 640, height: 480, sizeBytes: data.length, thumbnail: PIXEL };
      items.push(item);
      return item;
    },
    'media:remove': async ({ id }) => {
      const at = items.findIndex((i) => i.id === id);
      if (at >= 0) items.splice(at, 1);
      return { removed: at >= 0 };
    },
    'media:preview': async ({ id }) => ({ id, dataUrl: PIXEL, width: 640, height: 480 }),
    'method:list': async () => [],
    'model:list': async () => [],
  };
}

let view: Mounted | undefined;
afterEach(() => {
  view?.unmount();
  view = undefined;
  document.documentElement.removeAttribute('data-theme');
  localStorage.clear();
});

async function mountApp(handlers: FakeHandlers) {
  const client = fakeClient(handlers);
  view = await mount(
    <ClientProvider client={client}>
      <App />
    </ClientProvider>,
  );
  await settle();
  return { client, view };
}

describe('App', () => {
  it('starts with the four regions, the empty state and no media', async () => {
    const { view } = await mountApp(engine());
    const regions = Array.from(view.container.querySelectorAll('[data-region]')).map((r) => r.getAttribute('data-region'));
    expect(regions).toEqual(['media', 'viewer', 'methods', 'metrics']);
    expect(view.one('empty-state').textContent).toContain('Drop an image');
    expect(view.one('empty-state').textContent).toContain('Video import is not available yet.');
    expect(view.one('empty-state').textContent).toContain('Shapes samples');
    expect(view.all('media-item')).toHaveLength(0);
    expect(view.one('engine-status').textContent).toBe('Engine ready (browser mode).');
  });

  it('imports picked files through media:import, lists them with thumbnails and shows the first', async () => {
    const handlers = engine();
    const { client, view } = await mountApp(handlers);
    await pickFiles(view.one('file-input'), [new File(['IMG one'], 'one.png'), new File(['IMG two'], 'two.jpg')]);
    const imports = client.calls.filter((c) => c.name === 'media:import').map((c) => c.request as { name: string; data: Uint8Array });
    expect(imports.map((r) => [r.name, new TextDecoder().decode(r.data)])).toEqual([
      ['one.png', 'IMG one'],
      ['two.jpg', 'IMG two'],
    ]);
    expect(view.all('media-item').map((li) => li.querySelector('.media-name')?.textContent)).toEqual(['one.png', 'two.jpg']);
    expect(view.all('thumbnail').map((img) => img.getAttribute('src'))).toEqual([PIXEL, PIXEL]);
    expect(view.all('empty-state')).toHaveLength(0);
    expect(view.one('viewer').getAttribute('data-media-id')).toBe('id-1');

    await settle(() => view.all('media-item')[1]!.querySelector<HTMLButtonElement>('.media-select')!.click());
    expect(view.one('viewer').getAttribute('data-media-id')).toBe('id-2');
    expect(client.calls.filter((c) => c.name === 'media:preview').map((c) => (c.request as { id: string }).id)).toEqual(['id-1', 'id-2']);
  });

  it('shows a refused file as a dismissible notice with its hint, and keeps the good ones', async () => {
    const { view } = await mountApp(engine());
    await pickFiles(view.one('file-input'), [new File(['IMG ok'], 'ok.png'), new File(['hello'], 'notes.png'), new File(['IMG ok2'], 'ok2.png')]);
    expect(view.all('media-item')).toHaveLength(2);
    const notice = view.one('notice');
    expect(notice.getAttribute('role')).toBe('alert');
    expect(notice.textContent).toContain('"notes.png" is not an image TokenLab can read.');
    expect(notice.textContent).toContain('Convert it to PNG or JPEG.');
    await settle(() => notice.querySelector<HTMLButtonElement>('button[aria-label="Dismiss"]')!.click());
    expect(view.all('notice')).toHaveLength(0);
  });

  it('removes an item and falls back to the empty state', async () => {
    const { view } = await mountApp(engine());
    await pickFiles(view.one('file-input'), [new File(['IMG x'], 'x.png')]);
    await settle(() => view.container.querySelector<HTMLButtonElement>('button[aria-label="Remove x.png"]')!.click());
    expect(view.all('media-item')).toHaveLength(0);
    expect(view.all('empty-state')).toHaveLength(1);
  });

  it('opens the file picker from the keyboard (Enter and Space on the drop zone)', async () => {
    const { view } = await mountApp(engine());
    const click = vi.spyOn(view.one('file-input'), 'click').mockImplementation(() => {});
    const zone = view.one('dropzone');
    expect(zone.tabIndex).toBe(0);
    await settle(() => void zone.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })));
    await settle(() => void zone.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true })));
    await settle(() => void zone.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true })));
    expect(click).toHaveBeenCalledTimes(2);
  });

  it('moves the selection with the arrow keys, keeping focus on the selected row', async () => {
    const { view } = await mountApp(engine());
    await pickFiles(view.one('file-input'), [new File(['IMG a'], 'a.png'), new File(['IMG b'], 'b.png'), new File(['IMG c'], 'c.png')]);
    const list = view.container.querySelector('.media-list')!;
    const press = (key: string) => settle(() => void list.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true })));
    await press('ArrowDown');
    await press('ArrowDown');
    expect(view.one('viewer').getAttribute('data-media-id')).toBe('id-3');
    expect(document.activeElement?.closest('[data-testid="media-item"]')?.getAttribute('data-media-id')).toBe('id-3');
    await press('ArrowDown'); // stays on the last row
    await press('ArrowUp');
    expect(view.one('viewer').getAttribute('data-media-id')).toBe('id-2');
  });

  it('turns an engine crash into a notice and re-lists when the engine is back', async () => {
    const handlers = engine();
    const { client, view } = await mountApp(handlers);
    await settle(() => client.emit('engine:status', { state: 'crashed', message: 'worker exited with code 134', restarts: 0 }));
    expect(view.one('notice').textContent).toContain('The engine stopped unexpectedly: worker exited with code 134');
    expect(view.one('engine-status').textContent).toBe('Engine crashed; restarting…');
    const listsBefore = client.calls.filter((c) => c.name === 'media:list').length;
    await settle(() => client.emit('engine:status', { state: 'ready', restarts: 1 }));
    expect(client.calls.filter((c) => c.name === 'media:list').length).toBe(listsBefore + 1);
    expect(view.one('engine-status').textContent).toBe('Engine ready (browser mode).');
  });

  it('shows a lost connection in the status line', async () => {
    const { client, view } = await mountApp(engine());
    await settle(() => client.setConnection({ state: 'closed', reason: 'lost', retryInMs: 2000 }));
    expect(view.one('engine-status').textContent).toBe('Disconnected. Retrying in 2 s.');
  });

  it('cycles the theme system → light → dark and remembers the choice', async () => {
    const { view } = await mountApp(engine());
    const toggle = view.one('theme-toggle');
    expect(toggle.textContent).toBe('Theme: system');
    await settle(() => toggle.click());
    expect(document.documentElement.getAttribute('data-theme')).toBe('light');
    await settle(() => toggle.click());
    expect(document.documentElement.getAttribute('data-theme')).toBe('dark');
    expect(localStorage.getItem('tokenlab.theme')).toBe('dark');
    await settle(() => toggle.click());
    expect(document.documentElement.hasAttribute('data-theme')).toBe(false);
  });
});
