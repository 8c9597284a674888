/**
 * The selected image, as large as the region allows without distortion, with its facts below.
 * The image box has a fixed size, and the thumbnail stands in while the preview loads, so
 * selecting never makes the frame jump. Later issues draw token overlays over this box.
 */
import type { MediaItem } from '../../shared/schemas/app';
import { usePreview } from '../state/usePreview';
import { describeMedia } from './MediaListItem';

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${bytes} bytes`;
}

/** Shows `item` (never null: the caller shows the empty state instead). */
export function Viewer({ item }: { item: MediaItem }) {
  const preview = usePreview(item);
  const src = preview.status === 'ready' ? preview.preview.dataUrl : item.thumbnail;
  return (
    <figure className="viewer" data-testid="viewer" data-media-id={item.id}>
      <div className="viewer-stage">
        <img className="viewer-image" src={src} alt={item.name} width={item.width} height={item.height} data-loaded={preview.status === 'ready'} />
      </div>
      <figcaption className="viewer-caption">
        <span className="media-name">{item.name}</span>
        <span className="muted">
          {describeMedia(item)} · {formatSize(item.sizeBytes)}
        </span>
        {preview.status === 'failed' ? (
          <span className="viewer-error" role="status">
            Preview unavailable: {preview.message} {preview.hint}
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}
