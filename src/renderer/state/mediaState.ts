/**
 * The media panel's state as a pure reducer: imported items, files being imported, and the
 * selection. Kept free of React and I/O so its rules are tested directly.
 */
import type { MediaItem } from '../../shared/schemas/app';

/** A file whose import is in flight (shown as a placeholder row, so the list does not jump). */
export interface PendingImport {
  key: number;
  name: string;
}

export interface MediaState {
  items: MediaItem[];
  pending: PendingImport[];
  selectedId: string | null;
}

export type MediaAction =
  | { type: 'listed'; items: MediaItem[] }
  | { type: 'importStarted'; pending: PendingImport }
  | { type: 'importFinished'; key: number; item?: MediaItem }
  | { type: 'removed'; id: string }
  | { type: 'selected'; id: string | null };

export const initialMediaState: MediaState = { items: [], pending: [], selectedId: null };

/**
 * Applies one action. Rules: the first imported item is selected when nothing is; removing the
 * selected item selects its neighbour; a re-list keeps the selection only if the item survived
 * (an engine restart empties the engine's store).
 */
export function mediaReducer(state: MediaState, action: MediaAction): MediaState {
  switch (action.type) {
    case 'listed': {
      const keep = action.items.some((i) => i.id === state.selectedId);
      return { ...state, items: action.items, selectedId: keep ? state.selectedId : (action.items[0]?.id ?? null) };
    }
    case 'importStarted':
      return { ...state, pending: [...state.pending, action.pending] };
    case 'importFinished': {
      const pending = state.pending.filter((p) => p.key !== action.key);
      const item = action.item;
      if (!item || state.items.some((i) => i.id === item.id)) return { ...state, pending };
      return { ...state, pending, items: [...state.items, item], selectedId: state.selectedId ?? item.id };
    }
    case 'removed': {
      const index = state.items.findIndex((i) => i.id === action.id);
      if (index < 0) return state;
      const items = state.items.filter((i) => i.id !== action.id);
      const selectedId = state.selectedId === action.id ? (items[Math.min(index, items.length - 1)]?.id ?? null) : state.selectedId;
      return { ...state, items, selectedId };
    }
    case 'selected':
      return { ...state, selectedId: action.id };
  }
}
