/**
 * The selected image, as large as the region allows without distortion, with its facts below.
 * Once a run on this image has finished, the linked method views with their token overlays take
 * the image's place (RunViewer). The thumbnail stands in while the preview loads, and the image
 * box has a fixed size, so selecting or running never makes the frame jump.
 */
import { memo } from 'react';
import type { MediaItem } from '../../shared/schemas/app';
import type { MethodSummary } from '../../shared/schemas/methods';
import type { RunStartResponse } from '../../shared/schemas/runs';
import { usePreview } from '../state/usePreview';
import { describeMedia } from './MediaListItem';
import { RunViewer } from './viewer/RunViewer';

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${bytes} bytes`;
}

export interface ViewerProps {
  item: MediaItem;
  /** The latest run's response; shown only when it is about `item`. */
  response?: RunStartResponse | null;
  methods?: MethodSummary[] | null;
}

/** Shows `item` (never null: the caller shows the empty state instead). Memoised: a run's progress events must not repaint the overlays. */
export const Viewer = memo(function Viewer({ item, response, methods = null }: ViewerProps) {
  const preview = usePreview(item);
  const src = preview.status === 'ready' ? preview.preview.dataUrl : item.thumbnail;
  const run = response && response.media.id === item.id ? response : null;
  return (
    <figure className="viewer" data-testid="viewer" data-media-id={item.id}>
      {run ? (
        <RunViewer item={item} src={src} response={run} methods={methods} />
      ) : (
        <div className="viewer-stage">
          <img className="viewer-image" src={src} alt={item.name} width={item.width} height={item.height} data-loaded={preview.status === 'ready'} />
        </div>
      )}
      <figcaption className="viewer-caption">
        <span className="media-name">{item.name}</span>
        <span className="muted">
          {describeMedia(item)} · {formatSize(item.sizeBytes)}
        </span>
        {run ? <span className="muted">{`${run.model.name} on ${run.model.provider} · ${run.grid.rows}×${run.grid.cols} tokens${run.grid.frames > 1 ? ` × ${run.grid.frames} frames` : ''}`}</span> : null}
        {preview.status === 'failed' ? (
          <span className="viewer-error" role="status">
            Preview unavailable: {preview.message} {preview.hint}
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
});
