import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineHost } from '../../src/host/engineHost';
import { nodeWorkerSpawner } from '../../src/host/nodeWorker';
import type { ApiError } from '../../src/shared/errors';
import type { EngineStatus } from '../../src/shared/schemas/app';

const scripted = join(import.meta.dirname, 'fixtures', 'scriptedWorker.ts');
const hosts: EngineHost[] = [];

function host(options: Partial<ConstructorParameters<typeof EngineHost>[0]> = {}): { host: EngineHost; statuses: EngineStatus[] } {
  const h = new EngineHost({ spawner: nodeWorkerSpawner({ entry: scripted }), restartDelayMs: 10, log: () => {}, ...options });
  const statuses: EngineStatus[] = [];
  h.on('engine:status', (s) => statuses.push(s));
  hosts.push(h);
  return { host: h, statuses };
}

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

describe('EngineHost with a real worker process', () => {
  it('serves the real engine from workerEntry: app:info reports the CPU provider', async () => {
    const h = new EngineHost({ spawner: nodeWorkerSpawner(), log: () => {} });
    hosts.push(h);
    const info = await h.call('app:info', {});
    expect(info.providers.find((p) => p.name === 'cpu')?.available).toBe(true);
    expect(h.status().state).toBe('ready');
  });

  it('rejects an invalid request before sending it', async () => {
    const { host: h } = host();
    await expect(h.call('media:remove', { id: '' })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('streams progress to the caller', async () => {
    const { host: h } = host();
    const done: number[] = [];
    await expect(h.call('media:remove', { id: 'progress' }, { onProgress: (p) => done.push(p.done) })).resolves.toEqual({ removed: true });
    expect(done).toEqual([1, 2, 3]);
  });

  it('cancels through the AbortSignal and keeps working', async () => {
    const { host: h } = host();
    const controller = new AbortController();
    const hanging = h.call('media:remove', { id: 'hang' }, { signal: controller.signal });
    await h.whenReady();
    controller.abort();
    await expect(hanging).rejects.toMatchObject({ code: 'cancelled' });
    await expect(h.call('media:list', {})).resolves.toEqual([]);
  });

  it('turns a worker crash into engine-crashed, restarts, and reports crashed → restarting → ready', async () => {
    const { host: h, statuses } = host();
    const hanging = h.call('media:remove', { id: 'hang' });
    const crash = h.call('media:remove', { id: 'crash' });
    const e1 = (await crash.catch((e: unknown) => e)) as ApiError;
    const e2 = (await hanging.catch((e: unknown) => e)) as ApiError;
    for (const e of [e1, e2]) {
      expect(e.code).toBe('engine-crashed');
      expect(e.message).toContain('exit code 7');
      expect(e.hint).toMatch(/restarts the engine/);
    }
    await expect(h.call('media:list', {})).resolves.toEqual([]);
    expect(statuses.map((s) => s.state)).toEqual(['ready', 'crashed', 'restarting', 'ready']);
    expect(statuses.at(-1)?.restarts).toBe(1);
  });

  it('stops restarting after a rapid crash loop and says so', async () => {
    const { host: h, statuses } = host({ maxRapidCrashes: 1 });
    await expect(h.call('media:remove', { id: 'crash' })).rejects.toMatchObject({ code: 'engine-crashed' });
    await h.whenReady();
    await expect(h.call('media:remove', { id: 'crash' })).rejects.toMatchObject({ code: 'engine-crashed' });
    expect(h.status().state).toBe('stopped');
    expect(h.status().message).toMatch(/crashed 2 times/);
    const later = (await h.call('media:list', {}).catch((e: unknown) => e)) as ApiError;
    expect(later.code).toBe('engine-crashed');
    expect(later.hint).toMatch(/Restart TokenLab/);
    expect(statuses.at(-1)?.state).toBe('stopped');
  });

  it('reports a worker that cannot start as a crash with the reason', async () => {
    const h = new EngineHost({ spawner: nodeWorkerSpawner({ entry: '/nonexistent/worker.js' }), maxRapidCrashes: 0, log: () => {} });
    hosts.push(h);
    await h.whenReady();
    expect(h.status()).toMatchObject({ state: 'stopped' });
    expect(h.status().message).toContain('/nonexistent/worker.js');
  });
});
