// @vitest-environment happy-dom
/**
 * The single-run workflow through App against a fake engine: the method panel is generated from
 * method:list, the run request carries the chosen methods with the parameters the user set (and
 * the shared retention when the contract takes it), Ctrl+Enter runs, progress shows per phase,
 * Cancel stops a run, answers and metrics appear, and opening a sample fills in the question.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError } from '../../src/shared/errors';
import { App } from '../../src/renderer/App';
import { warmupText } from '../../src/renderer/components/methods/ModelPicker';
import { ClientProvider } from '../../src/renderer/state/client';
import type { MediaItem } from '../../src/shared/schemas/app';
import type { RunStartRequest } from '../../src/shared/schemas/runs';
import { fakeClient, type FakeHandlers } from './fakeClient';
import { mount, pickFiles, settle, type Mounted } from './render';
import { methodSummary, twoMethodResponse } from './runFixtures';

const PIXEL = 'data:image/webp;base64,UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==';

const methods = [
  methodSummary('mixed', 'Mixed', z.object({ k: z.number().int().min(1).max(8).default(2).describe('layers that run on all tokens'), mode: z.enum(['budget', 'adaptive']).default('budget').describe('how') })),
  methodSummary('topk', 'Top-k', z.object({ recycle: z.boolean().default(true).describe('recycle pruned tokens') })),
];

/** model:warm's answer for the bundled model. */
function warmed(loadMs = 5, warmMs = 7): Awaited<ReturnType<NonNullable<FakeHandlers['model:warm']>>> {
  return { id: 'reference', name: 'llava-tiny-shapes', dir: '/models/reference', bundled: true, source: 'bundled', state: 'ok', loaded: true, provider: 'cpu', threads: { intraOp: 1, interOp: 1 }, loadMs, buildSeconds: 0.1, warmMs, methods: ['none', 'mixed'], skipped: [] };
}

function engine(run: FakeHandlers['run:start']): FakeHandlers {
  const items: MediaItem[] = [];
  const add = (name: string) => {
    const item: MediaItem = { id: `id-${items.length + 1}`, name, kind: 'image', format: 'png', width: 640, height: 480, sizeBytes: 10, thumbnail: PIXEL };
    items.push(item);
    return item;
  };
  return {
    'media:list': async () => [...items],
    'media:import': async ({ name }) => add(name),
    'media:importPath': async ({ path }) => add(path.split('/').pop()!),
    'media:preview': async ({ id }) => ({ id, dataUrl: PIXEL, width: 640, height: 480 }),
    'method:list': async () => methods,
    'model:list': async () => [{ id: 'reference', name: 'llava-tiny-shapes', dir: '/models/reference', bundled: true, source: 'bundled', state: 'ok', loaded: false }],
    'bench:samples': async ({ offset = 0 }) => ({
      bench: 'shapes:test',
      total: 1,
      offset,
      samples: [{ id: 'img-00000', kind: 'image', question: 'what color is the circle?', answer: 'blue', type: 'color', path: '/cache/images/img-00000.png', width: 160, height: 160 }],
    }),
    'model:warm': async () => warmed(),
    'run:start': run,
  };
}

let view: Mounted | undefined;
afterEach(() => {
  view?.unmount();
  view = undefined;
});

async function mountLab(handlers: FakeHandlers) {
  const client = fakeClient(handlers);
  view = await mount(
    <ClientProvider client={client}>
      <App />
    </ClientProvider>,
  );
  await settle();
  return { client, view };
}

async function type(el: HTMLElement, text: string) {
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  await settle(() => {
    Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(el, text);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

const ctrlEnter = () => settle(() => void window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true })));

describe('the lab workflow', () => {
  it('builds controls from method:list and sends the chosen methods with the parameters set', async () => {
    const requests: RunStartRequest[] = [];
    const { view } = await mountLab(
      engine(async (req, options) => {
        requests.push(req);
        options?.onProgress?.({ phase: 'prefill', done: 2, total: 4, message: 'mixed: decoder layer 2/4' });
        return twoMethodResponse('id-1').response;
      }),
    );
    expect(view.all('method').map((m) => m.dataset.method)).toEqual(['mixed', 'topk']);
    expect((view.one('run') as HTMLButtonElement).disabled).toBe(true);
    await pickFiles(view.one('file-input'), [new File(['x'], 'shapes.png')]);
    await type(view.one('question'), 'what color is the circle?');
    await type(view.one('expected'), 'blue');
    expect((view.one('run') as HTMLButtonElement).disabled).toBe(false);

    const toggles = view.all('method-toggle');
    await settle(() => toggles[0]!.click());
    await settle(() => toggles[1]!.click());
    const k = view.container.querySelector<HTMLInputElement>('[data-param="mixed.k"]')!;
    expect(k.value).toBe('2'); // the default, shown but not sent
    const mode = view.container.querySelector<HTMLSelectElement>('[data-param="mixed.mode"]')!;
    expect(Array.from(mode.options).map((o) => o.value)).toEqual(['budget', 'adaptive']);
    expect(view.container.querySelector<HTMLInputElement>('[data-param="topk.recycle"]')!.checked).toBe(true);
    await type(k, '5');
    expect(view.container.textContent).toContain('layers that run on all tokens');
    expect(view.container.querySelector('.method-meta a')?.getAttribute('href')).toBe('https://arxiv.org/abs/2403.06764');
    await type(view.one('retention'), '0.5');

    await ctrlEnter();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ mediaId: 'id-1', question: 'what color is the circle?', expectedAnswer: 'blue', modelId: 'reference' });
    expect(requests[0]!.methods!.map((m) => [m.id, m.params])).toEqual([['mixed', { k: 5 }], ['topk', {}]]);
    expect(requests[0]!.methods!.map((m) => m.retention)).toEqual([0.5, 0.5]);

    expect(view.all('answer').map((a) => a.textContent)).toEqual(['blue', 'blue', 'red']);
    expect(view.one('results-table').querySelectorAll('tbody tr')).toHaveLength(3);
    expect(view.one('run-progress').dataset.status).toBe('done');
    expect(view.all('overlay').map((o) => o.dataset.method)).toContain('none');
  });

  it('cancels a run in flight, and says why Run is unavailable', async () => {
    const { view } = await mountLab(engine(() => new Promise(() => {})));
    expect(view.container.querySelector('.run-blocked')?.textContent).toBe('Import an image or open a sample first.');
    await pickFiles(view.one('file-input'), [new File(['x'], 'a.png')]);
    expect(view.container.querySelector('.run-blocked')?.textContent).toBe('Type a question.');
    await type(view.one('question'), 'how many?');
    await settle(() => view.one('run').click());
    expect(view.one('run-progress').dataset.status).toBe('running');
    expect((view.one('run') as HTMLButtonElement).disabled).toBe(true);
    await settle(() => view.one('cancel').click());
    expect(view.one('run-progress').dataset.status).toBe('cancelled');
    expect(view.all('notice')).toHaveLength(0);
  });

  it('warms the bundled model up when the lab opens, with progress, never blocking Run; then lists it as loaded', async () => {
    const handlers = engine(async () => twoMethodResponse('id-1').response);
    let loaded = false;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    handlers['model:list'] = async () => [{ id: 'reference', name: 'llava-tiny-shapes', dir: '/models/reference', bundled: true, source: 'bundled', state: 'ok', loaded }];
    handlers['model:warm'] = async ({ modelId }, options) => {
      expect(modelId).toBe('reference');
      options?.onProgress?.({ phase: 'load', done: 3, total: 4, message: 'reference: building the ONNX graphs and sessions' });
      options?.onProgress?.({ phase: 'warm', done: 2, total: 5, message: 'reference: first pass of fastv' });
      await gate;
      loaded = true;
      return warmed(600, 1400);
    };
    const { client, view } = await mountLab(handlers);
    // Nobody clicked anything: opening the lab started it.
    expect(client.calls.filter((c) => c.name === 'model:warm')).toHaveLength(1);
    const line = view.one('model-warmup');
    expect(line.dataset.state).toBe('warming');
    expect(line.getAttribute('aria-live')).toBe('polite');
    expect(line.textContent).toBe('Warming up reference (first passes 2/5): first pass of fastv. Runs may start meanwhile.');
    expect(view.container.querySelector<HTMLProgressElement>('.model-progress')!.value).toBe(2);
    const load = view.one('model-load') as HTMLButtonElement;
    expect(load.disabled).toBe(true); // already on its way
    // Run is not held back by the warm-up.
    await pickFiles(view.one('file-input'), [new File(['x'], 'shapes.png')]);
    await type(view.one('question'), 'what color is the circle?');
    expect((view.one('run') as HTMLButtonElement).disabled).toBe(false);
    await settle(() => release());
    expect(line.dataset.state).toBe('ready');
    expect(line.textContent).toBe('reference is warm (load 0.6 s, first passes 1.4 s): runs start at full speed.');
    expect(load.textContent).toBe('Loaded');
    expect(load.disabled).toBe(true);
    expect(view.container.querySelector('[data-testid="model"] option')?.textContent).toContain('(loaded)');
    expect(view.all('notice')).toHaveLength(0);
  });

  it('warms up again after an engine restart (the new engine holds no model), once per restart', async () => {
    const handlers = engine(async () => twoMethodResponse('id-1').response);
    let loaded = false;
    handlers['model:list'] = async () => [{ id: 'reference', name: 'llava-tiny-shapes', dir: '/models/reference', bundled: true, source: 'bundled', state: 'ok', loaded }];
    handlers['model:warm'] = async () => {
      loaded = true;
      return warmed();
    };
    const { client } = await mountLab(handlers);
    const warms = () => client.calls.filter((c) => c.name === 'model:warm').length;
    expect(warms()).toBe(1);
    loaded = false; // the worker died with the model in it
    await settle(() => client.emit('engine:status', { state: 'crashed', message: 'worker exited with code 134', restarts: 0 }));
    await settle(() => client.emit('engine:status', { state: 'ready', restarts: 1 }));
    expect(warms()).toBe(2);
  });

  it('says so when the warm-up left methods out (it gives way to the user\'s first run)', () => {
    expect(warmupText({ status: 'ready', id: 'reference', loadMs: 600, warmMs: 250, skipped: 9 })).toBe('reference is loaded (load 0.6 s, first passes 0.3 s); 9 method(s) not warmed up: their first run is slower.');
    expect(warmupText({ status: 'idle' })).toBe('\u00a0');
  });

  it('a broken bundled model gives a notice saying what failed and what to do; the lab stays usable', async () => {
    const handlers = engine(async () => twoMethodResponse('id-1').response);
    handlers['model:list'] = async () => [
      { id: 'reference', name: 'llava-tiny-shapes', dir: '/models/reference', bundled: true, source: 'bundled', state: 'broken', loaded: false, problem: { message: 'model.safetensors: tensor language_model.model.norm.weight is missing', hint: 'Re-export the checkpoint.' } },
    ];
    const { client, view } = await mountLab(handlers);
    expect(client.calls.filter((c) => c.name === 'model:warm')).toHaveLength(0); // nothing usable to warm
    const notices = view.all('notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.textContent).toContain('The bundled model "llava-tiny-shapes" cannot be loaded: model.safetensors: tensor language_model.model.norm.weight is missing');
    expect(notices[0]!.textContent).toContain('Re-export the checkpoint.');
    expect(notices[0]!.textContent).toContain('git checkout -- models/reference');
    expect(view.one('model-warmup').dataset.state).toBe('idle');
    expect(view.container.querySelector('.run-blocked')?.textContent).toBe('Import an image or open a sample first.');
  });

  it('a warm-up that fails is a notice, and a run still goes ahead', async () => {
    const requests: RunStartRequest[] = [];
    const handlers = engine(async (req) => {
      requests.push(req);
      return twoMethodResponse('id-1').response;
    });
    handlers['model:warm'] = async () => {
      throw new ApiError('model-error', 'Model "reference" (/models/reference) failed to load: out of memory', { hint: 'Close other programs and press Load.' });
    };
    const { view } = await mountLab(handlers);
    expect(view.one('model-warmup').dataset.state).toBe('failed');
    expect(view.one('model-warmup').textContent).toContain('see the notice');
    expect(view.all('notice').map((n) => n.textContent)).toEqual([expect.stringContaining('out of memory')]);
    await pickFiles(view.one('file-input'), [new File(['x'], 'shapes.png')]);
    await type(view.one('question'), 'what color is the circle?');
    await settle(() => view.one('run').click());
    expect(requests).toHaveLength(1);
    expect(view.one('run-progress').dataset.status).toBe('done');
  });

  it('opens a Shapes sample: imports its image and fills in its question and answer', async () => {
    const { client, view } = await mountLab(engine(async () => twoMethodResponse('id-1').response));
    await settle(() => view.one('samples-more').click());
    expect(view.one('sample').textContent).toContain('what color is the circle?');
    await settle(() => view.one('sample').click());
    expect(client.calls.find((c) => c.name === 'media:importPath')?.request).toEqual({ path: '/cache/images/img-00000.png' });
    expect((view.one('question') as HTMLTextAreaElement).value).toBe('what color is the circle?');
    expect((view.one('expected') as HTMLInputElement).value).toBe('blue');
    expect(view.one('viewer').dataset.mediaId).toBe('id-1');
    expect(view.all('samples-more')).toHaveLength(0); // all 1 of 1 listed
  });
});
