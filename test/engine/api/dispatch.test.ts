import { describe, expect, it } from 'vitest';
import { serveContract, type WireChannel } from '../../../src/engine/api/dispatch';
import type { WireMessage } from '../../../src/shared/wire';
import { scriptedHandlers } from '../../host/fixtures/handlers';

/** An in-memory channel: `deliver` plays the client, `sent` records what the engine answered. */
function memoryChannel() {
  let listener: (m: unknown) => void = () => {};
  const sent: WireMessage[] = [];
  const waiters: Array<() => void> = [];
  const channel: WireChannel = {
    send(m) {
      sent.push(m);
      waiters.splice(0).forEach((w) => w());
    },
    onMessage(cb) {
      listener = cb;
    },
  };
  const until = async (predicate: () => boolean): Promise<void> => {
    while (!predicate()) await new Promise<void>((r) => waiters.push(r));
  };
  const result = async (id: number) => {
    await until(() => sent.some((m) => m.type === 'result' && m.id === id));
    return sent.find((m) => m.type === 'result' && m.id === id) as Extract<WireMessage, { type: 'result' }>;
  };
  return { channel, sent, deliver: (m: unknown) => listener(m), result };
}

const quiet = { logError: () => {} };

describe('serveContract', () => {
  it('rejects an invalid payload with invalid-input naming the call and field', async () => {
    const { channel, deliver, result } = memoryChannel();
    serveContract(scriptedHandlers(), channel, quiet);
    deliver({ type: 'call', id: 1, name: 'media:remove', payload: { id: 42 } });
    const r = await result(1);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid-input');
    expect(r.error.message).toContain('media:remove');
    expect(r.error.message).toContain('id');
  });

  it('answers unknown calls and message types, and survives garbage', async () => {
    const { channel, deliver, result, sent } = memoryChannel();
    serveContract(scriptedHandlers(), channel, quiet);
    deliver(null);
    deliver('text');
    deliver({ type: 'call', name: 'app:info', payload: {} }); // no id: dropped
    deliver({ type: 'call', id: 2, name: 'nope:nothing', payload: {} });
    deliver({ type: 'weird', id: 3 });
    const unknownCall = await result(2);
    const unknownType = await result(3);
    expect(unknownCall.ok === false && unknownCall.error.code).toBe('invalid-input');
    expect(unknownCall.ok === false && unknownCall.error.message).toContain('nope:nothing');
    expect(unknownType.ok === false && unknownType.error.code).toBe('invalid-input');
    expect(sent).toHaveLength(2);
  });

  it('forwards progress in order, then the result', async () => {
    const { channel, deliver, result, sent } = memoryChannel();
    serveContract(scriptedHandlers(), channel, quiet);
    deliver({ type: 'call', id: 5, name: 'media:remove', payload: { id: 'progress' } });
    expect(await result(5)).toEqual({ type: 'result', id: 5, ok: true, value: { removed: true } });
    expect(sent.filter((m) => m.type === 'progress').map((m) => (m as { payload: { done: number } }).payload.done)).toEqual([1, 2, 3]);
  });

  it('fails a call whose handler reports malformed progress, and turns thrown errors into internal errors', async () => {
    const { channel, deliver, result } = memoryChannel();
    serveContract(scriptedHandlers(), channel, quiet);
    deliver({ type: 'call', id: 6, name: 'media:remove', payload: { id: 'bad-progress' } });
    deliver({ type: 'call', id: 7, name: 'media:remove', payload: { id: 'boom' } });
    const bad = await result(6);
    const boom = await result(7);
    expect(bad.ok === false && bad.error.code).toBe('internal');
    expect(boom.ok === false && boom.error).toMatchObject({ code: 'internal', message: 'boom' });
  });

  it('cancel aborts the handler and answers cancelled exactly once', async () => {
    const { channel, deliver, result, sent } = memoryChannel();
    const served = serveContract(scriptedHandlers(), channel, quiet);
    deliver({ type: 'call', id: 8, name: 'media:remove', payload: { id: 'hang' } });
    expect(served.inFlight()).toEqual([8]);
    deliver({ type: 'cancel', id: 8 });
    const r = await result(8);
    expect(r.ok === false && r.error.code).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 20));
    expect(sent.filter((m) => m.type === 'result')).toHaveLength(1);
    expect(served.inFlight()).toEqual([]);
  });

  it('refuses a second call with an id that is still running', async () => {
    const { channel, deliver, result } = memoryChannel();
    const served = serveContract(scriptedHandlers(), channel, quiet);
    deliver({ type: 'call', id: 9, name: 'media:remove', payload: { id: 'hang' } });
    deliver({ type: 'call', id: 9, name: 'media:list', payload: {} });
    const r = await result(9);
    expect(r.ok === false && r.error.message).toContain('already in use');
    served.close();
  });

  it('validates emitted events', () => {
    const { channel, sent } = memoryChannel();
    const served = serveContract(scriptedHandlers(), channel, quiet);
    served.emit('engine:status', { state: 'ready', restarts: 0 });
    expect(sent).toEqual([{ type: 'event', name: 'engine:status', payload: { state: 'ready', restarts: 0 } }]);
    expect(() => served.emit('engine:status', { state: 'exploded', restarts: 0 } as never)).toThrow(/engine:status/);
  });
});
