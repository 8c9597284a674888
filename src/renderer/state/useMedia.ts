/**
 * Media import and listing through the contract. Files are read in the renderer and sent as
 * bytes (`media:import`): in browser mode the engine's disk is not the user's. Each file is
 * imported on its own, so one bad file gives one notice and the others still arrive.
 */
import { useCallback, useMemo, useReducer } from 'react';
import { ApiError } from '../../shared/errors';
import { MEDIA_LIMITS, type MediaItem } from '../../shared/schemas/app';
import { useClient } from './client';
import { initialMediaState, mediaReducer, type MediaState } from './mediaState';
import type { NoticesApi } from './notices';

/** The media state plus what the UI can do with it. */
export interface MediaApi extends MediaState {
  selected: MediaItem | null;
  importFiles(files: Iterable<File>): Promise<void>;
  /** Imports a file on the engine's machine (e.g. a benchmark sample) and selects it; undefined when it failed (a notice says why). */
  importPath(path: string, name: string): Promise<MediaItem | undefined>;
  remove(id: string): Promise<void>;
  select(id: string | null): void;
  /** Re-reads the engine's list; call it whenever the link opens and after an engine restart. */
  refresh(): Promise<void>;
}

let nextKey = 1;

/** Checks what can be checked without the engine, so a 2 GB file is not read into memory. */
function precheck(file: File): ApiError | undefined {
  if (file.size > MEDIA_LIMITS.maxFileBytes) {
    const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;
    return new ApiError('bad-media', `"${file.name}" is ${mib(file.size)}, above the ${mib(MEDIA_LIMITS.maxFileBytes)} file limit.`, {
      hint: 'Downscale or re-compress the image and import it again.',
      subject: file.name,
    });
  }
  return undefined;
}

/** Owns the media state; reports failures through `notices`. */
export function useMedia(notices: Pick<NoticesApi, 'pushError'>): MediaApi {
  const client = useClient();
  const [state, dispatch] = useReducer(mediaReducer, initialMediaState);
  const { pushError } = notices;

  const refresh = useCallback(async () => {
    try {
      dispatch({ type: 'listed', items: await client.call('media:list', {}) });
    } catch (err) {
      pushError(err);
    }
  }, [client, pushError]);

  const importOne = useCallback(
    async (file: File) => {
      const key = nextKey++;
      dispatch({ type: 'importStarted', pending: { key, name: file.name } });
      let item: MediaItem | undefined;
      try {
        const refused = precheck(file);
        if (refused) throw refused;
        const data = new Uint8Array(await file.arrayBuffer());
        item = await client.call('media:import', { name: file.name, data });
      } catch (err) {
        pushError(err);
      } finally {
        dispatch({ type: 'importFinished', key, item });
      }
    },
    [client, pushError],
  );

  const importFiles = useCallback(
    async (files: Iterable<File>) => {
      // One at a time: the engine decodes serially anyway, and results arrive in drop order.
      for (const file of files) await importOne(file);
    },
    [importOne],
  );

  const importPath = useCallback(
    async (path: string, name: string) => {
      const key = nextKey++;
      dispatch({ type: 'importStarted', pending: { key, name } });
      let item: MediaItem | undefined;
      try {
        item = await client.call('media:importPath', { path });
      } catch (err) {
        pushError(err);
      } finally {
        dispatch({ type: 'importFinished', key, item });
      }
      if (item) dispatch({ type: 'selected', id: item.id });
      return item;
    },
    [client, pushError],
  );

  const remove = useCallback(
    async (id: string) => {
      try {
        await client.call('media:remove', { id });
        dispatch({ type: 'removed', id });
      } catch (err) {
        pushError(err);
      }
    },
    [client, pushError],
  );

  const select = useCallback((id: string | null) => dispatch({ type: 'selected', id }), []);

  const selected = state.items.find((i) => i.id === state.selectedId) ?? null;
  return useMemo(() => ({ ...state, selected, importFiles, importPath, remove, select, refresh }), [state, selected, importFiles, importPath, remove, select, refresh]);
}
