/**
 * Import of one file: decides from its bytes what it is, refuses what TokenLab cannot use with
 * an error that names the file, the reason and what to do, and describes what it can use.
 * Videos are recognised and refused until video decoding lands — nothing is faked.
 */
import { ApiError } from '../../shared/errors';
import { MEDIA_LIMITS } from '../../shared/schemas/app';
import { readImage, type ImageInfo } from './image';
import { FORMAT_LABEL, IMAGE_FORMATS, extensionOf, hasImageExtension, hasVideoExtension, sniff, type ImageFormat } from './sniff';

const SUPPORTED = 'PNG, JPEG, WebP, TIFF or GIF';

/** A decoded, accepted image: what a MediaItem needs, minus its id and origin. */
export interface ImportedImage extends ImageInfo {
  kind: 'image';
  format: ImageFormat;
  sizeBytes: number;
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${n} bytes`;
}

/** Refuses an empty or over-large file before anything else looks at it. */
export function checkSize(name: string, sizeBytes: number): void {
  if (sizeBytes === 0) {
    throw new ApiError('bad-media', `"${name}" is empty (0 bytes).`, {
      hint: 'Choose the file again; if it was still being written or downloaded, wait until it is complete.',
      subject: name,
    });
  }
  if (sizeBytes > MEDIA_LIMITS.maxFileBytes) {
    throw new ApiError('bad-media', `"${name}" is ${formatBytes(sizeBytes)}, above the ${formatBytes(MEDIA_LIMITS.maxFileBytes)} file limit.`, {
      hint: 'Downscale or re-compress the image and import it again.',
      subject: name,
    });
  }
}

function videoRefusal(name: string, format?: string): ApiError {
  const what = format ? ` (${FORMAT_LABEL[format] ?? format})` : '';
  return new ApiError('unsupported', `"${name}" is a video${what}; video import is not available yet.`, {
    hint: 'Import a still image (PNG, JPEG, WebP, TIFF or GIF) instead, for example a frame exported from the video.',
    subject: name,
  });
}

/**
 * Validates and describes one file given as bytes. `name` is used only in messages and to
 * recognise a video whose container the bytes do not reveal; the format comes from the bytes.
 * Throws ApiError 'bad-media' (empty, too large, not an image, damaged, too many pixels) or
 * 'unsupported' (video, or an image format TokenLab does not decode).
 */
export async function importImageBytes(name: string, bytes: Uint8Array): Promise<ImportedImage> {
  checkSize(name, bytes.length);
  const found = sniff(bytes);
  switch (found.kind) {
    case 'video':
      throw videoRefusal(name, found.format);
    case 'unsupported-image':
      throw new ApiError('unsupported', `"${name}" is an image in ${FORMAT_LABEL[found.format] ?? found.format} format; TokenLab imports ${SUPPORTED} images.`, {
        hint: 'Convert it to PNG or JPEG and import it again.',
        subject: name,
      });
    case 'unknown': {
      if (hasVideoExtension(name)) throw videoRefusal(name);
      const mislabelled = hasImageExtension(name) ? ` — the name ends in .${extensionOf(name)}, but the content is not that format` : '';
      throw new ApiError('bad-media', `"${name}" is not an image TokenLab can read: its bytes are not ${SUPPORTED}${mislabelled}.`, {
        hint: 'Check that this is the file you meant; if it is an image in another format, convert it to PNG or JPEG.',
        subject: name,
      });
    }
    case 'image': {
      const info = await readImage(name, bytes, found.format);
      return { kind: 'image', format: found.format, sizeBytes: bytes.length, ...info };
    }
  }
}

/** True when `format` (a MediaItem's format) is an image format this module decodes. */
export function isImageFormat(format: string): format is ImageFormat {
  return (IMAGE_FORMATS as readonly string[]).includes(format);
}
