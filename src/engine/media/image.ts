/**
 * Still-image decoding with sharp (libvips): metadata, a list thumbnail and a viewer preview.
 *
 * Safety: the header is read first and the pixel count checked against
 * MEDIA_LIMITS.maxImagePixels before any pixel is decoded, and every decode also runs under an
 * explicit `limitInputPixels`, so a 20000×20000 PNG (a few kB on disk, 400 MP in memory) is
 * refused without allocating its pixels. `failOn: 'error'` makes truncated or corrupt pixel data
 * an error instead of a silently grey image; mere decoder warnings are tolerated.
 */
import sharp, { type Metadata } from 'sharp';
import { ApiError } from '../../shared/errors';
import { MEDIA_LIMITS } from '../../shared/schemas/app';
import { FORMAT_LABEL, type ImageFormat } from './sniff';

/** Longest side of the list thumbnail, in pixels. */
export const THUMBNAIL_SIZE = 160;

/** What decoding an image yields for the MediaItem. */
export interface ImageInfo {
  width: number;
  height: number;
  /** Number of frames (GIF only; the first frame is what TokenLab uses). */
  frames?: number;
  /** WebP data: URL, longest side ≤ THUMBNAIL_SIZE. */
  thumbnail: string;
}

const DECODE_OPTIONS = { limitInputPixels: MEDIA_LIMITS.maxImagePixels, failOn: 'error', pages: 1 } as const;

function megapixels(pixels: number): string {
  return `${(pixels / 1e6).toFixed(pixels < 10e6 ? 1 : 0)} MP`;
}

/** Turns a sharp failure while decoding pixels into an error a user can act on. */
function decodeError(name: string, format: ImageFormat, err: unknown): ApiError {
  const detail = err instanceof Error ? err.message.trim() : String(err);
  if (/pixel limit/i.test(detail)) {
    return new ApiError('bad-media', `"${name}" is larger than the ${megapixels(MEDIA_LIMITS.maxImagePixels)} limit.`, {
      hint: 'Downscale the image (for example to 4096 px on its longest side) and import it again.',
      subject: name,
      cause: err,
    });
  }
  return new ApiError('bad-media', `"${name}" could not be decoded as ${FORMAT_LABEL[format]}: the file is damaged or incomplete (${detail}).`, {
    hint: 'The file may be truncated or corrupt. Re-export or re-download it, then import it again.',
    subject: name,
    cause: err,
  });
}

/**
 * Reads width, height and frame count, checks the pixel limit, and renders the thumbnail —
 * which decodes every pixel of the first frame, so a truncated file fails here, at import,
 * rather than later in a run. Throws ApiError('bad-media') naming `name` and the reason.
 */
export async function readImage(name: string, bytes: Uint8Array, format: ImageFormat): Promise<ImageInfo> {
  let meta: Metadata;
  try {
    // Header only: `limitInputPixels: false` lets us read the size of an oversized image so the
    // refusal below can state it; no pixel is decoded by metadata().
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw decodeError(name, format, err);
  }
  // Dimensions as displayed (EXIF orientation applied), which is what the user sees.
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) {
    throw new ApiError('bad-media', `"${name}" has no readable image size in its ${FORMAT_LABEL[format]} header.`, {
      hint: 'The file is probably damaged. Re-export it as PNG or JPEG and import it again.',
      subject: name,
    });
  }
  const pixels = width * height;
  if (pixels > MEDIA_LIMITS.maxImagePixels) {
    throw new ApiError(
      'bad-media',
      `"${name}" is ${width} × ${height} pixels (${megapixels(pixels)}), above the ${megapixels(MEDIA_LIMITS.maxImagePixels)} limit.`,
      { hint: 'Downscale the image (for example to 4096 px on its longest side) and import it again.', subject: name },
    );
  }
  let thumbnail: Buffer;
  try {
    thumbnail = await sharp(bytes, DECODE_OPTIONS)
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer();
  } catch (err) {
    throw decodeError(name, format, err);
  }
  const info: ImageInfo = { width, height, thumbnail: `data:image/webp;base64,${thumbnail.toString('base64')}` };
  if (format === 'gif') info.frames = meta.pages ?? 1;
  return info;
}

/** A display-size rendering of an image for the viewer. */
export interface ImagePreview {
  dataUrl: string;
  width: number;
  height: number;
}

/**
 * Renders the first frame at most `maxSide` px on its longest side (never enlarged), EXIF
 * orientation applied, as a WebP data: URL. The bytes were validated at import; a failure here
 * still surfaces as ApiError('bad-media') naming the file (e.g. a path import changed on disk).
 */
export async function renderPreview(name: string, bytes: Uint8Array, format: ImageFormat, maxSide: number): Promise<ImagePreview> {
  try {
    const { data, info } = await sharp(bytes, DECODE_OPTIONS)
      .rotate()
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 85 })
      .toBuffer({ resolveWithObject: true });
    return { dataUrl: `data:image/webp;base64,${data.toString('base64')}`, width: info.width, height: info.height };
  } catch (err) {
    throw decodeError(name, format, err);
  }
}
