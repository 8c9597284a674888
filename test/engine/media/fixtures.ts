/**
 * Real media files for the import tests, generated with sharp (and zlib for the oversized PNG)
 * so every test reads bytes a real encoder wrote.
 */
import { deflateSync, crc32 } from 'node:zlib';
import sharp from 'sharp';

/** A solid-colour image of the given size in one of the five supported formats. */
export async function solidImage(format: 'png' | 'jpeg' | 'webp' | 'tiff' | 'gif', width = 64, height = 48, colour = '#3080c0'): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: colour } })
    .toFormat(format)
    .toBuffer();
  return new Uint8Array(bytes);
}

/** An animated GIF with one frame per colour. */
export async function animatedGif(colours: string[], width = 20, height = 10): Promise<Uint8Array<ArrayBuffer>> {
  const frames = await Promise.all(colours.map((c) => sharp({ create: { width, height, channels: 3, background: c } }).png().toBuffer()));
  return new Uint8Array(await sharp(frames, { join: { animated: true } }).gif().toBuffer());
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/**
 * A complete, valid 1-bit greyscale PNG of width × height (all black). A 20000×20000 one is
 * ~50 kB on disk but 400 MP once decoded: the case `limitInputPixels` exists for. Built by hand
 * because encoding it through sharp would itself need the 400 MP in memory.
 */
export function bilevelPng(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // colour type: greyscale
  const rowBytes = 1 + Math.ceil(width / 8); // filter byte + packed pixels
  const idat = deflateSync(Buffer.alloc(rowBytes * height), { level: 9 });
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]));
}

/** The first `fraction` of a file, as a download or copy cut short would leave it. */
export function truncated(bytes: Uint8Array, fraction = 0.5): Uint8Array<ArrayBuffer> {
  return bytes.slice(0, Math.max(1, Math.floor(bytes.length * fraction)));
}

/** UTF-8 text bytes (a text file that may be misnamed .png). */
export function text(content: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(content);
}

/** Header bytes of common video containers, as their muxers write them. */
export const videoHeaders = {
  mp4: () => concat(box('ftyp', 'isom\0\0\x02\0isomiso2avc1mp41'), box('free', '')),
  mov: () => concat(box('ftyp', 'qt  \0\0\x02\0qt  '), box('wide', '')),
  webm: () => Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0x82, 0x84, ...ascii('webm')]),
  mkv: () => Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, 0xa3, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x88, ...ascii('matroska')]),
  avi: () => concat(ascii('RIFF'), Uint8Array.from([0x00, 0x10, 0x00, 0x00]), ascii('AVI LIST')),
  ts: () => {
    const out = new Uint8Array(188 * 3);
    for (let i = 0; i < 3; i++) out[i * 188] = 0x47;
    return out;
  },
};

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function box(type: string, payload: string): Uint8Array {
  const size = 8 + payload.length;
  return concat(Uint8Array.from([size >>> 24, (size >>> 16) & 255, (size >>> 8) & 255, size & 255]), ascii(type), ascii(payload));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
