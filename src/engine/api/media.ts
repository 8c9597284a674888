/**
 * Handlers of the media calls. The shell composes them into the engine's Handlers:
 * `{ ...createMediaHandlers(store), ... }`. Every failure is an ApiError naming the file and the
 * reason; nothing here can take the engine down, so one bad file never stops the next import.
 */
import type { Handlers } from '../../shared/api';
import { ApiError } from '../../shared/errors';
import type { MediaItem } from '../../shared/schemas/app';
import { renderPreview } from '../media/image';
import { importImageBytes, isImageFormat, type ImportedImage } from '../media/import';
import { readMediaFile } from '../media/read-path';
import { MediaStore } from '../media/store';

/** The calls implemented here. */
export type MediaCallName = 'media:import' | 'media:importPath' | 'media:list' | 'media:remove' | 'media:preview';

/** Longest side of a viewer preview when the caller does not ask for one. */
const DEFAULT_PREVIEW_SIDE = 1024;

function toItem(id: string, name: string, image: ImportedImage, path?: string): MediaItem {
  const item: MediaItem = {
    id,
    name,
    kind: image.kind,
    format: image.format,
    width: image.width,
    height: image.height,
    sizeBytes: image.sizeBytes,
    thumbnail: image.thumbnail,
  };
  if (image.frames !== undefined) item.frames = image.frames;
  if (path !== undefined) item.path = path;
  return item;
}

/**
 * The media handlers over one MediaStore (a fresh one when omitted; pass your own to reach the
 * same items from other handlers, e.g. runs that take a media id).
 */
export function createMediaHandlers(store: MediaStore = new MediaStore()): Pick<Handlers, MediaCallName> {
  return {
    'media:import': async ({ name, data }) => {
      const image = await importImageBytes(name, data);
      return store.add(toItem(store.newId(), name, image), { kind: 'bytes', bytes: data });
    },
    'media:importPath': async ({ path }) => {
      const file = await readMediaFile(path);
      const image = await importImageBytes(file.name, file.bytes);
      // Keep the path, not the bytes: path imports can be large and are re-read when needed.
      return store.add(toItem(store.newId(), file.name, image, file.path), { kind: 'path', path: file.path });
    },
    'media:list': async () => store.list(),
    'media:remove': async ({ id }) => ({ removed: store.remove(id) }),
    'media:preview': async ({ id, maxSide }) => {
      const item = store.get(id);
      if (!isImageFormat(item.format)) {
        throw new ApiError('unsupported', `"${item.name}" is ${item.kind === 'video' ? 'a video' : `a ${item.format} file`}; previews are available for images only.`, { subject: item.name });
      }
      const preview = await renderPreview(item.name, await store.readBytes(id), item.format, maxSide ?? DEFAULT_PREVIEW_SIDE);
      return { id, ...preview };
    },
  };
}
