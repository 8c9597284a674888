/**
 * CLIPImageProcessor-equivalent preprocessing with sharp: resize the shortest edge (bicubic),
 * center crop, rescale, normalise → Float32 CHW. Matches HF's arithmetic: the long edge becomes
 * int(size · long / short) and the crop offset is floor((h − crop) / 2).
 */
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import type { PreprocessorConfig } from '../checkpoint/types';

/** sharp refuses larger inputs; explicit because its default also rejects metadata() of big images. */
export const MAX_INPUT_PIXELS = 16384 * 16384;

/** An image as a file path or encoded bytes (PNG, JPEG, WebP…). */
export type ImageSource = string | Uint8Array;

function describe(src: ImageSource): string {
  return typeof src === 'string' ? src : `<${src.length} bytes>`;
}

/**
 * Decodes and preprocesses one image to [3, cropHeight, cropWidth] float32. Throws, naming the
 * input, when it is not a decodable image or is smaller than the crop.
 */
export async function preprocessImage(src: ImageSource, pre: PreprocessorConfig): Promise<Float32Array> {
  let img = sharp(src, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).rotate().removeAlpha().toColourspace('srgb');
  let meta: Metadata;
  try {
    meta = await sharp(src, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  } catch (err) {
    throw new Error(`Image ${describe(src)} could not be read: ${err instanceof Error ? err.message : String(err)}. Use a PNG, JPEG, WebP, GIF or TIFF file.`);
  }
  let w = meta.autoOrient?.width ?? meta.width;
  let h = meta.autoOrient?.height ?? meta.height;
  if (!w || !h) throw new Error(`Image ${describe(src)} has no dimensions; is it an image file?`);
  if (pre.doResize) {
    const short = Math.min(w, h);
    const long = Math.max(w, h);
    const newLong = Math.floor((pre.shortestEdge * long) / short);
    [w, h] = w <= h ? [pre.shortestEdge, newLong] : [newLong, pre.shortestEdge];
    img = img.resize(w, h, { kernel: 'cubic', fit: 'fill' });
  }
  if (pre.doCenterCrop) {
    if (w < pre.cropWidth || h < pre.cropHeight) throw new Error(`Image ${describe(src)} is ${w}×${h} after resizing, smaller than the ${pre.cropWidth}×${pre.cropHeight} crop in preprocessor_config.json.`);
    const top = Math.floor((h - pre.cropHeight) / 2);
    const left = Math.floor((w - pre.cropWidth) / 2);
    // extract() after resize() must be forced into a second pipeline stage.
    const resized = await img.raw().toBuffer({ resolveWithObject: true });
    img = sharp(resized.data, { raw: { width: resized.info.width, height: resized.info.height, channels: resized.info.channels } }).extract({ left, top, width: pre.cropWidth, height: pre.cropHeight });
    w = pre.cropWidth;
    h = pre.cropHeight;
  }
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await img.raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new Error(`Image ${describe(src)} could not be decoded: ${err instanceof Error ? err.message : String(err)}.`);
  }
  const { width, height, channels } = raw.info;
  if (channels < 3) throw new Error(`Image ${describe(src)}: expected RGB after conversion, got ${channels} channel(s).`);
  return toNormalizedChw(raw.data, width * height, channels, pre);
}

/**
 * Interleaved 8-bit pixels → rescaled, normalised float32 planes [3, plane]. A plain function of
 * its own: inlined in the async preprocessImage, V8 compiled this loop on-stack afresh on every
 * image (three optimisations per call, on the cores ORT needs) instead of once.
 */
function toNormalizedChw(pixels: Uint8Array, plane: number, channels: number, pre: PreprocessorConfig): Float32Array {
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const scale = pre.rescaleFactor;
    const mean = pre.doNormalize ? pre.imageMean[c]! : 0;
    const std = pre.doNormalize ? pre.imageStd[c]! : 1;
    for (let i = 0, o = c * plane; i < plane; i++, o++) out[o] = (pixels[i * channels + c]! * scale - mean) / std;
  }
  return out;
}
