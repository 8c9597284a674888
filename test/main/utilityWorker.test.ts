import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

// A utilityProcess stand-in: records forks and posted messages; tests emit its events.
const forks = vi.hoisted(() => [] as Array<{ entry: string; options: unknown; child: unknown }>);

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class FakeChild extends Emitter {
    posted: unknown[] = [];
    killed = 0;
    postMessage(m: unknown) {
      this.posted.push(m);
    }
    kill() {
      this.killed++;
      return true;
    }
  }
  return {
    utilityProcess: {
      fork: (entry: string, _args: string[], options: unknown) => {
        const child = new FakeChild();
        forks.push({ entry, options, child });
        return child;
      },
    },
  };
});

const { utilityWorkerSpawner } = await import('../../src/main/utilityWorker');
type Child = EventEmitter & { posted: unknown[]; killed: number };

describe('utilityProcess engine worker adapter', () => {
  it('forks the built worker and passes messages both ways', () => {
    const handle = utilityWorkerSpawner('/app/out/main/worker.js').spawn();
    const { entry, child } = forks.at(-1)!;
    expect(entry).toBe('/app/out/main/worker.js');
    const got: unknown[] = [];
    handle.onMessage((m) => got.push(m));
    (child as Child).emit('message', { type: 'event', name: 'engine:status', payload: { state: 'ready', restarts: 0 } });
    handle.send({ type: 'call', id: 1, name: 'app:info', payload: {} });
    expect(got).toHaveLength(1);
    expect((child as Child).posted).toEqual([{ type: 'call', id: 1, name: 'app:info', payload: {} }]);
  });

  it('reports the exit once, with a fatal error as the reason, and refuses sends afterwards', () => {
    const handle = utilityWorkerSpawner('/w.js').spawn();
    const child = forks.at(-1)!.child as Child;
    const exits: unknown[] = [];
    handle.onExit((e) => exits.push(e));
    child.emit('error', 'FatalError', 'onnxruntime.cc:42');
    child.emit('exit', 134);
    child.emit('exit', 134);
    handle.onExit((e) => exits.push(e)); // late subscribers still hear about it
    expect(exits).toEqual([
      { code: 134, signal: null, reason: 'FatalError at onnxruntime.cc:42' },
      { code: 134, signal: null, reason: 'FatalError at onnxruntime.cc:42' },
    ]);
    expect(() => handle.send({ type: 'cancel', id: 1 })).toThrow(/exited/);
    handle.kill();
    expect(child.killed).toBe(0);
  });
});
