// @vitest-environment happy-dom
/**
 * The linked method views on a response with traces from the real TraceBuilder: one overlay per
 * method whose data-kept is the trace's count at the shared stage, the stage slider replays the
 * trace, heat map and zoom act on every view, and every method shows its answer with badges.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Viewer } from '../../src/renderer/components/Viewer';
import { stagePositions, stepIndexAt } from '../../src/renderer/lib/stagePositions';
import { ClientProvider } from '../../src/renderer/state/client';
import type { MediaItem } from '../../src/shared/schemas/app';
import { keptAt } from '../../src/shared/trace';
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

async function render() {
  const { response, traces } = twoMethodResponse('m1');
  const client = fakeClient({ 'media:preview': async ({ id }) => ({ id, dataUrl: PIXEL, width: 640, height: 480 }) });
  view = await mount(
    <ClientProvider client={client}>
      <Viewer item={item} response={response} methods={null} />
    </ClientProvider>,
  );
  await settle();
  return { view, traces };
}

function kept(v: Mounted): Record<string, number> {
  return Object.fromEntries(v.all('overlay').map((o) => [o.dataset.method!, Number(o.dataset.kept)]));
}

async function moveStage(v: Mounted, index: number) {
  const slider = v.one('stage') as HTMLInputElement;
  await settle(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(slider, String(index));
    slider.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

describe('RunViewer', () => {
  it('shows one overlay per method, starting at the last stage with the traces’ counts', async () => {
    const { view, traces } = await render();
    const positions = stagePositions([traces.mixed, traces.topk]);
    expect(positions.map((p) => p.key)).toEqual(['input', 'vision', 'llm:1', 'llm:2', 'kv']);
    const last = positions.at(-1)!;
    expect(view.one('stage').dataset.position).toBe('kv');
    expect(kept(view)).toEqual({
      none: 24,
      mixed: keptAt(traces.mixed, stepIndexAt(traces.mixed, last)).length,
      topk: keptAt(traces.topk, stepIndexAt(traces.topk, last)).length,
    });
    expect(kept(view)).toEqual({ none: 24, mixed: 9, topk: 6 });
    expect(view.all('answer').map((a) => [a.dataset.method, a.textContent])).toEqual([['none', 'blue'], ['mixed', 'blue'], ['topk', 'red']]);
    expect(view.all('badge-correct').map((b) => b.textContent)).toEqual(['correct', 'correct', 'wrong']);
  });

  it('replays the trace along the stage slider, every view at the same position', async () => {
    const { view } = await render();
    const seen: Array<[string | undefined, Record<string, number>]> = [];
    for (let i = 0; i < 5; i++) {
      await moveStage(view, i);
      seen.push([view.one('stage').dataset.position, kept(view)]);
      expect(new Set(view.all('overlay').map((o) => o.dataset.position))).toEqual(new Set([view.one('stage').dataset.position]));
    }
    expect(seen).toEqual([
      ['input', { none: 24, mixed: 24, topk: 24 }],
      ['vision', { none: 24, mixed: 17, topk: 24 }],
      ['llm:1', { none: 24, mixed: 9, topk: 24 }],
      ['llm:2', { none: 24, mixed: 9, topk: 6 }],
      ['kv', { none: 24, mixed: 9, topk: 6 }],
    ]);
    expect(view.container.querySelector('[data-method="mixed"] .method-view-step')?.textContent).toBe('test compaction');
  });

  it('toggles the heat map and zooms every view together', async () => {
    const { view } = await render();
    const heat = view.one('heatmap') as HTMLInputElement;
    await settle(() => heat.click());
    expect(view.all('overlay').every((o) => o.dataset.heatmap === 'true')).toBe(true);
    const zoomIn = view.container.querySelector<HTMLButtonElement>('button[aria-label="Zoom in"]')!;
    await settle(() => zoomIn.click());
    const zooms = Array.from(view.container.querySelectorAll<HTMLElement>('.picture-stage')).map((s) => s.dataset.zoom);
    expect(zooms).toEqual(['1.25', '1.25', '1.25']);
    const stage = view.container.querySelector<HTMLElement>('.picture-stage')!;
    await settle(() => void stage.dispatchEvent(new KeyboardEvent('keydown', { key: '0', bubbles: true })));
    expect(Array.from(view.container.querySelectorAll<HTMLElement>('.picture-stage')).map((s) => s.dataset.zoom)).toEqual(['1.00', '1.00', '1.00']);
  });

  it('marks an unpruned result the engine reused from an earlier run of the question', async () => {
    const { response } = twoMethodResponse('m1');
    response.results[0] = { ...response.results[0]!, reused: true };
    const client = fakeClient({ 'media:preview': async ({ id }) => ({ id, dataUrl: PIXEL, width: 640, height: 480 }) });
    view = await mount(
      <ClientProvider client={client}>
        <Viewer item={item} response={response} methods={null} />
      </ClientProvider>,
    );
    await settle();
    const badges = view.all('badge-reused');
    expect(badges).toHaveLength(1);
    expect(badges[0]!.closest('[data-testid="method-view"]')?.getAttribute('data-method')).toBe('none');
    expect(badges[0]!.title).toContain('its latency is that run');
  });

  it('shows the plain image when the response is about another item', async () => {
    const { response } = twoMethodResponse('other');
    const client = fakeClient({ 'media:preview': async ({ id }) => ({ id, dataUrl: PIXEL, width: 640, height: 480 }) });
    view = await mount(
      <ClientProvider client={client}>
        <Viewer item={item} response={response} methods={null} />
      </ClientProvider>,
    );
    await settle();
    expect(view.all('overlay')).toHaveLength(0);
    expect(view.all('run-viewer')).toHaveLength(0);
  });
});

describe('RunViewer on a video trace', () => {
  it('shows a frame strip with every frame’s overlay and switches the large views between frames', async () => {
    const { videoTrace } = await import('./lib/traces');
    const { response } = twoMethodResponse('m1');
    const trace = videoTrace(); // 2 frames of 3×3, 5 of 18 kept after decoder layer 0
    const video = { ...response, grid: { rows: 3, cols: 3, frames: 2, tokensPerFrame: 9, visualTokens: 18 } };
    const base = response.results[0]!;
    video.results = [
      { ...base, tokenCounts: { ...base.tokenCounts, decoder: [22, 22], decoderVisual: [18, 18] } },
      { ...response.results[2]!, method: 'vid', pruning: { ...response.results[2]!.pruning!, method: 'vid', trace } },
    ];
    const client = fakeClient({ 'media:preview': async ({ id }) => ({ id, dataUrl: PIXEL, width: 640, height: 480 }) });
    view = await mount(
      <ClientProvider client={client}>
        <Viewer item={item} response={video} methods={null} />
      </ClientProvider>,
    );
    await settle();
    const big = () => view!.all('overlay').filter((o) => o.dataset.method === 'vid');
    expect(big().map((o) => [o.dataset.frame, o.dataset.kept])).toEqual([['0', '5']]);
    const frames = view.all('frame');
    expect(frames).toHaveLength(4); // two frames for each of the two methods
    const strip = view.container.querySelector<HTMLElement>('[data-method="vid"] .frame-strip')!;
    expect(Array.from(strip.querySelectorAll<HTMLElement>('[data-testid="frame-overlay"]')).map((o) => [o.dataset.frame, o.dataset.kept])).toEqual([['0', '5'], ['1', '5']]);
    expect(view.all('overlay')).toHaveLength(2); // one per method, thumbnails apart
    await settle(() => void strip.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true })));
    expect(big().map((o) => o.dataset.frame)).toEqual(['1']);
    // The unpruned view follows: frame selection is shared.
    expect(view.all('overlay').find((o) => o.dataset.method === 'none')?.dataset.frame).toBe('1');
    expect(strip.querySelector('[aria-checked="true"]')?.getAttribute('title')).toBe('Frame 2: 3 kept');
  });
});
