/** Schemas of the app shell: engine info and status, media import, progress. */
import { z } from 'zod';

/** Limits the engine enforces on imports (also shown in the UI). */
export const MEDIA_LIMITS = {
  /** Largest accepted image, in pixels (width × height). Larger images are refused, not resized. */
  maxImagePixels: 100_000_000,
  /** Largest accepted file, in bytes. */
  maxFileBytes: 512 * 1024 * 1024,
} as const;

export const MediaKind = z.enum(['image', 'video']);

/** One imported image or video, as the UI lists it. */
export const MediaItem = z.object({
  id: z.string().min(1),
  name: z.string(),
  kind: MediaKind,
  /** Container/codec format as detected from the bytes (png, jpeg, webp, tiff, gif, mp4, …). */
  format: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  sizeBytes: z.number().int().nonnegative(),
  /** Frames in the file (GIF/video), when known. */
  frames: z.number().int().positive().optional(),
  /** A small preview as a data: URL. */
  thumbnail: z.string().startsWith('data:image/'),
  /** Where the file came from on the engine's machine, when imported by path. */
  path: z.string().optional(),
});
export type MediaItem = z.infer<typeof MediaItem>;

export const MediaImportRequest = z.object({
  name: z.string().min(1).max(1024),
  data: z.instanceof(Uint8Array),
});
export type MediaImportRequest = z.infer<typeof MediaImportRequest>;

export const MediaImportPathRequest = z.object({ path: z.string().min(1) });

/** A display-size rendering of an imported item for the viewer (the list has only thumbnails). */
export const MediaPreviewRequest = z.object({
  id: z.string().min(1),
  /** Longest side in pixels (1024 when omitted); never enlarged beyond the original. */
  maxSide: z.number().int().min(16).max(4096).optional(),
});
export const MediaPreview = z.object({
  id: z.string().min(1),
  dataUrl: z.string().startsWith('data:image/'),
  /** Size of the preview itself, not of the original. */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type MediaPreview = z.infer<typeof MediaPreview>;

export const ProviderInfo = z.object({ name: z.string(), available: z.boolean(), note: z.string().optional() });

export const ModelSummary = z.object({ id: z.string(), name: z.string(), dir: z.string(), bundled: z.boolean() });

/** What `tokenlab info` and the UI's About show. */
export const AppInfo = z.object({
  version: z.string(),
  node: z.string(),
  platform: z.string(),
  cpus: z.number().int(),
  providers: z.array(ProviderInfo),
  ffmpeg: z.object({ found: z.boolean(), path: z.string().optional(), version: z.string().optional(), hint: z.string().optional() }),
  electron: z.object({ runtimeInstalled: z.boolean(), version: z.string().optional(), hint: z.string().optional() }),
  models: z.array(ModelSummary),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const EngineStatus = z.object({
  state: z.enum(['starting', 'ready', 'crashed', 'restarting', 'stopped']),
  message: z.string().optional(),
  /** How many times the engine has been restarted in this session. */
  restarts: z.number().int().nonnegative(),
});
export type EngineStatus = z.infer<typeof EngineStatus>;

export const TaskProgress = z.object({
  /** What is being done, e.g. 'load', 'vision', 'prefill', 'decode', 'sweep'. */
  phase: z.string(),
  done: z.number().nonnegative(),
  total: z.number().nonnegative().optional(),
  message: z.string().optional(),
});
export type TaskProgress = z.infer<typeof TaskProgress>;
