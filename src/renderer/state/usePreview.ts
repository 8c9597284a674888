/**
 * The viewer's image for the selected item: a display-size preview from the engine
 * (`media:preview`), since the list only carries 160 px thumbnails. A newer selection
 * cancels the request for the previous one.
 */
import { useEffect, useState } from 'react';
import { toApiError } from '../../shared/errors';
import type { MediaItem, MediaPreview } from '../../shared/schemas/app';
import { useClient } from './client';

export type PreviewState = { status: 'idle' } | { status: 'loading' } | { status: 'ready'; preview: MediaPreview } | { status: 'failed'; message: string; hint?: string };

/** Loads a preview for `item` at most `maxSide` px; `idle` when no item. */
export function usePreview(item: MediaItem | null, maxSide = 1024): PreviewState {
  const client = useClient();
  const [state, setState] = useState<PreviewState>({ status: 'idle' });
  const id = item?.id;
  useEffect(() => {
    if (!id) {
      setState({ status: 'idle' });
      return;
    }
    const controller = new AbortController();
    setState({ status: 'loading' });
    client.call('media:preview', { id, maxSide }, { signal: controller.signal }).then(
      (preview) => setState({ status: 'ready', preview }),
      (err: unknown) => {
        if (controller.signal.aborted) return; // superseded by a newer selection
        const error = toApiError(err);
        setState({ status: 'failed', message: error.message, hint: error.hint });
      },
    );
    return () => controller.abort();
  }, [client, id, maxSide]);
  return state;
}
