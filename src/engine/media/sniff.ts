/**
 * Recognises a file's format from its first bytes (magic numbers), never from its name: a text
 * file named `.png` is not a PNG, and a JPEG named `.png` is a JPEG. The extension is consulted
 * only to recognise video files whose container we cannot identify from the bytes.
 */

/** Image formats TokenLab decodes (with sharp). */
export const IMAGE_FORMATS = ['png', 'jpeg', 'webp', 'tiff', 'gif'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** Human names used in messages. */
export const FORMAT_LABEL: Record<string, string> = {
  png: 'PNG',
  jpeg: 'JPEG',
  webp: 'WebP',
  tiff: 'TIFF',
  gif: 'GIF',
  bmp: 'BMP',
  heif: 'HEIF/HEIC',
  avif: 'AVIF',
  ico: 'ICO',
  jxl: 'JPEG XL',
  psd: 'Photoshop (PSD)',
  mp4: 'MP4',
  mov: 'QuickTime (MOV)',
  '3gp': '3GP',
  webm: 'WebM',
  mkv: 'Matroska (MKV)',
  avi: 'AVI',
  'mpeg-ts': 'MPEG transport stream',
  mpeg: 'MPEG program stream',
  flv: 'Flash video (FLV)',
  asf: 'Windows Media (ASF/WMV)',
};

/** What the bytes say a file is. */
export type Sniffed =
  | { kind: 'image'; format: ImageFormat }
  /** An image format we recognise but do not decode (BMP, HEIF, …). */
  | { kind: 'unsupported-image'; format: string }
  | { kind: 'video'; format: string }
  | { kind: 'unknown' };

/** Extensions of video files; used only when the bytes are not recognised. */
const VIDEO_EXTENSIONS = new Set(['mp4', 'm4v', 'mov', 'qt', 'webm', 'mkv', 'avi', 'ts', 'mts', 'm2ts', 'mpg', 'mpeg', 'flv', 'wmv', 'asf', 'ogv', '3gp', '3g2']);
/** Extensions of still images; used to explain a mislabelled file. */
const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'jpe', 'jfif', 'webp', 'tif', 'tiff', 'gif']);

/** Lower-case extension of a file name without the dot ('' when there is none). */
export function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** True when the file name ends in a video extension (.mp4, .mov, .webm, …). */
export function hasVideoExtension(name: string): boolean {
  return VIDEO_EXTENSIONS.has(extensionOf(name));
}

/** True when the file name ends in the extension of an image format we decode. */
export function hasImageExtension(name: string): boolean {
  return IMAGE_EXTENSIONS.has(extensionOf(name));
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  if (bytes.length < start + length) return '';
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

function startsWith(bytes: Uint8Array, prefix: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + prefix.length) return false;
  return prefix.every((b, i) => bytes[offset + i] === b);
}

// ISO-BMFF brands that mean a still image (HEIF family) rather than a movie.
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

function sniffIsoBmff(bytes: Uint8Array): Sniffed | undefined {
  if (ascii(bytes, 4, 4) !== 'ftyp') return undefined;
  const brand = ascii(bytes, 8, 4);
  if (HEIF_BRANDS.has(brand)) return { kind: 'unsupported-image', format: 'heif' };
  if (AVIF_BRANDS.has(brand)) return { kind: 'unsupported-image', format: 'avif' };
  if (brand === 'qt  ') return { kind: 'video', format: 'mov' };
  if (brand.startsWith('3g')) return { kind: 'video', format: '3gp' };
  return { kind: 'video', format: 'mp4' };
}

function sniffMatroska(bytes: Uint8Array): Sniffed | undefined {
  if (!startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return undefined;
  // The DocType element of the EBML header says "webm" or "matroska"; it sits in the first bytes.
  const head = ascii(bytes, 0, Math.min(bytes.length, 64));
  return { kind: 'video', format: head.includes('webm') ? 'webm' : 'mkv' };
}

function sniffMpegTs(bytes: Uint8Array): boolean {
  // A transport stream is 188-byte packets that each start with the sync byte 0x47.
  if (bytes.length < 188 * 2 + 1) return false;
  return bytes[0] === 0x47 && bytes[188] === 0x47 && bytes[376] === 0x47;
}

/** Identifies a file from its first bytes. Pure: no I/O, no decoding. */
export function sniff(bytes: Uint8Array): Sniffed {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'image', format: 'png' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'image', format: 'jpeg' };
  const gif = ascii(bytes, 0, 6);
  if (gif === 'GIF87a' || gif === 'GIF89a') return { kind: 'image', format: 'gif' };
  if (ascii(bytes, 0, 4) === 'RIFF') {
    const form = ascii(bytes, 8, 4);
    if (form === 'WEBP') return { kind: 'image', format: 'webp' };
    if (form === 'AVI ') return { kind: 'video', format: 'avi' };
  }
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return { kind: 'image', format: 'tiff' };
  // BigTIFF: libvips reads it, so it is TIFF to us too.
  if (startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])) return { kind: 'image', format: 'tiff' };

  const iso = sniffIsoBmff(bytes);
  if (iso) return iso;
  const mkv = sniffMatroska(bytes);
  if (mkv) return mkv;
  if (sniffMpegTs(bytes)) return { kind: 'video', format: 'mpeg-ts' };
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0xba]) || startsWith(bytes, [0x00, 0x00, 0x01, 0xb3])) return { kind: 'video', format: 'mpeg' };
  if (ascii(bytes, 0, 3) === 'FLV') return { kind: 'video', format: 'flv' };
  if (startsWith(bytes, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) return { kind: 'video', format: 'asf' };

  if (ascii(bytes, 0, 2) === 'BM' && bytes.length >= 26) return { kind: 'unsupported-image', format: 'bmp' };
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00]) && bytes.length >= 22) return { kind: 'unsupported-image', format: 'ico' };
  if (startsWith(bytes, [0xff, 0x0a]) || (ascii(bytes, 4, 4) === 'JXL ' && startsWith(bytes, [0x00, 0x00, 0x00, 0x0c]))) return { kind: 'unsupported-image', format: 'jxl' };
  if (ascii(bytes, 0, 4) === '8BPS') return { kind: 'unsupported-image', format: 'psd' };
  return { kind: 'unknown' };
}
