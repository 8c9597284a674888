/** One row of the media list: thumbnail, name and size; selects on activation; removable. */
import type { MediaItem } from '../../shared/schemas/app';

/** Short description, e.g. "PNG · 640 × 480 · 3 frames". */
export function describeMedia(item: MediaItem): string {
  const parts = [item.format.toUpperCase(), `${item.width} × ${item.height}`];
  if (item.frames !== undefined && item.frames > 1) parts.push(`${item.frames} frames`);
  return parts.join(' · ');
}

/** A row; `selected` drives aria-selected and the highlight. */
export function MediaListItem({ item, selected, onSelect, onRemove }: { item: MediaItem; selected: boolean; onSelect(): void; onRemove(): void }) {
  return (
    <li className={`media-item${selected ? ' media-item-selected' : ''}`} data-testid="media-item" data-media-id={item.id}>
      <button type="button" className="media-select" aria-pressed={selected} onClick={onSelect} title={item.name}>
        <img className="thumbnail" data-testid="thumbnail" src={item.thumbnail} alt="" width={48} height={48} />
        <span className="media-text">
          <span className="media-name">{item.name}</span>
          <span className="media-detail">{describeMedia(item)}</span>
        </span>
      </button>
      <button type="button" className="icon-button" aria-label={`Remove ${item.name}`} onClick={onRemove}>
        ×
      </button>
    </li>
  );
}
