import { describe, expect, it } from 'vitest';
import { initialMediaState, mediaReducer, type MediaState } from '../../src/renderer/state/mediaState';
import type { MediaItem } from '../../src/shared/schemas/app';

const item = (id: string): MediaItem => ({ id, name: `${id}.png`, kind: 'image', format: 'png', width: 2, height: 2, sizeBytes: 1, thumbnail: 'data:image/webp;base64,AA==' });

describe('mediaReducer', () => {
  it('selects the first import, keeps the selection on later ones, and clears the pending row', () => {
    let s: MediaState = mediaReducer(initialMediaState, { type: 'importStarted', pending: { key: 1, name: 'a.png' } });
    s = mediaReducer(s, { type: 'importStarted', pending: { key: 2, name: 'b.png' } });
    s = mediaReducer(s, { type: 'importFinished', key: 1, item: item('a') });
    expect(s).toEqual({ items: [item('a')], pending: [{ key: 2, name: 'b.png' }], selectedId: 'a' });
    s = mediaReducer(s, { type: 'importFinished', key: 2, item: item('b') });
    expect(s.selectedId).toBe('a');
    expect(s.items.map((i) => i.id)).toEqual(['a', 'b']);
  });

  it('drops the pending row of a failed import and adds nothing', () => {
    let s = mediaReducer(initialMediaState, { type: 'importStarted', pending: { key: 7, name: 'bad.png' } });
    s = mediaReducer(s, { type: 'importFinished', key: 7 });
    expect(s).toEqual(initialMediaState);
  });

  it('selects the neighbour when the selected item is removed, and nothing when the list empties', () => {
    let s: MediaState = { items: [item('a'), item('b'), item('c')], pending: [], selectedId: 'c' };
    s = mediaReducer(s, { type: 'removed', id: 'c' });
    expect(s.selectedId).toBe('b');
    s = mediaReducer(s, { type: 'removed', id: 'a' });
    expect(s.selectedId).toBe('b');
    s = mediaReducer(s, { type: 'removed', id: 'b' });
    expect(s).toEqual({ items: [], pending: [], selectedId: null });
  });

  it('keeps the selection across a re-list only when the item survived', () => {
    const s: MediaState = { items: [item('a'), item('b')], pending: [], selectedId: 'b' };
    expect(mediaReducer(s, { type: 'listed', items: [item('a'), item('b')] }).selectedId).toBe('b');
    expect(mediaReducer(s, { type: 'listed', items: [item('a')] }).selectedId).toBe('a');
    expect(mediaReducer(s, { type: 'listed', items: [] }).selectedId).toBeNull();
  });
});
