/**
 * The imported media, oldest first, plus a placeholder row per file still importing (rows have
 * a fixed height, so arriving items never shift what is already there). Arrow keys move the
 * selection between rows.
 */
import type { KeyboardEvent } from 'react';
import type { MediaItem } from '../../shared/schemas/app';
import type { PendingImport } from '../state/mediaState';
import { MediaListItem } from './MediaListItem';

export interface MediaListProps {
  items: MediaItem[];
  pending: PendingImport[];
  selectedId: string | null;
  onSelect(id: string): void;
  onRemove(id: string): void;
}

/** Renders nothing when there is nothing to list (the empty state speaks then). */
export function MediaList({ items, pending, selectedId, onSelect, onRemove }: MediaListProps) {
  if (items.length === 0 && pending.length === 0) return null;

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const index = items.findIndex((i) => i.id === selectedId);
    const next = items[Math.max(0, Math.min(items.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)))];
    if (!next) return;
    onSelect(next.id);
    // Move focus with the selection so the next arrow press starts from there.
    event.currentTarget.querySelector<HTMLButtonElement>(`[data-media-id="${CSS.escape(next.id)}"] .media-select`)?.focus();
  };

  return (
    <ul className="media-list" aria-label="Imported media" onKeyDown={onKeyDown}>
      {items.map((item) => (
        <MediaListItem key={item.id} item={item} selected={item.id === selectedId} onSelect={() => onSelect(item.id)} onRemove={() => onRemove(item.id)} />
      ))}
      {pending.map((p) => (
        <li key={`pending-${p.key}`} className="media-item media-item-pending" aria-live="polite">
          <span className="thumbnail thumbnail-placeholder" aria-hidden="true" />
          <span className="media-text">
            <span className="media-name">{p.name}</span>
            <span className="media-detail">Importing…</span>
          </span>
        </li>
      ))}
    </ul>
  );
}
