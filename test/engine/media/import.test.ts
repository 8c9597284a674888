import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { THUMBNAIL_SIZE } from '../../../src/engine/media/image';
import { importImageBytes } from '../../../src/engine/media/import';
import { ApiError } from '../../../src/shared/errors';
import { animatedGif, bilevelPng, solidImage, text, truncated, videoHeaders } from './fixtures';

/** Runs an import that must fail and returns the ApiError. */
async function refusal(name: string, bytes: Uint8Array): Promise<ApiError> {
  const err = await importImageBytes(name, bytes).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `${name} should have been refused`).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('importImageBytes: accepted images', () => {
  it.each(['png', 'jpeg', 'webp', 'tiff', 'gif'] as const)('describes a %s and makes a decodable thumbnail', async (format) => {
    const bytes = await solidImage(format, 640, 320);
    const image = await importImageBytes(`photo.${format}`, bytes);
    expect(image).toMatchObject({ kind: 'image', format, width: 640, height: 320, sizeBytes: bytes.length });
    expect(image.thumbnail.startsWith('data:image/webp;base64,')).toBe(true);
    const thumb = await sharp(Buffer.from(image.thumbnail.split(',')[1]!, 'base64')).metadata();
    expect(thumb.format).toBe('webp');
    expect([thumb.width, thumb.height]).toEqual([THUMBNAIL_SIZE, THUMBNAIL_SIZE / 2]);
  });

  it('never enlarges a small image for its thumbnail', async () => {
    const image = await importImageBytes('tiny.png', await solidImage('png', 12, 8));
    const thumb = await sharp(Buffer.from(image.thumbnail.split(',')[1]!, 'base64')).metadata();
    expect([thumb.width, thumb.height]).toEqual([12, 8]);
  });

  it('counts the frames of an animated GIF and sizes it by one frame', async () => {
    const image = await importImageBytes('anim.gif', await animatedGif(['#f00', '#0f0', '#00f']));
    expect(image).toMatchObject({ format: 'gif', width: 20, height: 10, frames: 3 });
  });

  it('reports the size as displayed: a camera JPEG with EXIF orientation 6 is portrait', async () => {
    const bytes = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const image = await importImageBytes('camera.jpg', new Uint8Array(bytes));
    expect([image.width, image.height]).toEqual([48, 64]);
    const thumb = await sharp(Buffer.from(image.thumbnail.split(',')[1]!, 'base64')).metadata();
    expect([thumb.width, thumb.height]).toEqual([48, 64]);
  });

  it('takes the format from the bytes, not the name (a JPEG named .png is a JPEG)', async () => {
    const image = await importImageBytes('actually-a-jpeg.png', await solidImage('jpeg'));
    expect(image.format).toBe('jpeg');
  });
});

describe('importImageBytes: refused files say which file, why, and what to do', () => {
  it('refuses an empty file', async () => {
    const err = await refusal('empty.png', new Uint8Array(0));
    expect(err.code).toBe('bad-media');
    expect(err.message).toBe('"empty.png" is empty (0 bytes).');
    expect(err.hint).toBeTruthy();
    expect(err.subject).toBe('empty.png');
  });

  it.each(['png', 'jpeg', 'webp', 'gif'] as const)('refuses a truncated %s', async (format) => {
    const err = await refusal(`cut.${format}`, truncated(await solidImage(format, 300, 200, '#a0522d'), 0.6));
    expect(err.code).toBe('bad-media');
    expect(err.message).toMatch(new RegExp(`^"cut\\.${format}" could not be decoded as .*damaged or incomplete`));
    expect(err.hint).toMatch(/truncated or corrupt/);
  });

  it('refuses a text file named .png and says the name does not match the content', async () => {
    const err = await refusal('notes.png', text('Meeting notes: bring the slides.\n'));
    expect(err.code).toBe('bad-media');
    expect(err.message).toContain('"notes.png" is not an image TokenLab can read');
    expect(err.message).toContain('the name ends in .png, but the content is not that format');
  });

  it('refuses a 20000×20000 PNG from its header, without decoding its 400 MP', async () => {
    const bytes = bilevelPng(20000, 20000);
    expect(bytes.length).toBeLessThan(200_000); // the file is small; only its pixel count is huge
    const before = process.memoryUsage().rss;
    const err = await refusal('huge.png', bytes);
    const grown = process.memoryUsage().rss - before;
    expect(err.code).toBe('bad-media');
    expect(err.message).toBe('"huge.png" is 20000 × 20000 pixels (400 MP), above the 100 MP limit.');
    expect(err.hint).toMatch(/Downscale/);
    // Decoding would need ≥ 400 MB (one byte per pixel); reading the header needs almost nothing.
    expect(grown).toBeLessThan(100 * 1024 * 1024);
  });

  it('accepts an image just under the pixel limit in the same 1-bit form', async () => {
    // 10000 × 10000 = 100 MP exactly: at the limit, not above it. Decoding it takes ~1 s.
    const image = await importImageBytes('limit.png', bilevelPng(10000, 10000));
    expect([image.width, image.height]).toEqual([10000, 10000]);
  });

  it.each([
    ['clip.mp4', videoHeaders.mp4(), 'MP4'],
    ['clip.mov', videoHeaders.mov(), 'QuickTime (MOV)'],
    ['clip.webm', videoHeaders.webm(), 'WebM'],
    ['clip.avi', videoHeaders.avi(), 'AVI'],
    ['no-extension', videoHeaders.mkv(), 'Matroska (MKV)'],
  ])('recognises %s as video from its bytes and refuses it honestly', async (name, bytes, label) => {
    const err = await refusal(name, bytes);
    expect(err.code).toBe('unsupported');
    expect(err.message).toBe(`"${name}" is a video (${label}); video import is not available yet.`);
  });

  it('recognises a video by its extension when the container is not recognised', async () => {
    const err = await refusal('old.wmv.ogv', text('OggS-ish bytes we do not sniff'));
    expect(err.code).toBe('unsupported');
    expect(err.message).toBe('"old.wmv.ogv" is a video; video import is not available yet.');
  });

  it('refuses an image format it recognises but does not decode', async () => {
    const bmp = new Uint8Array(64);
    bmp.set([0x42, 0x4d]);
    const err = await refusal('scan.bmp', bmp);
    expect(err.code).toBe('unsupported');
    expect(err.message).toBe('"scan.bmp" is an image in BMP format; TokenLab imports PNG, JPEG, WebP, TIFF or GIF images.');
  });
});
