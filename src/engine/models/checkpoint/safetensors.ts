/**
 * Lazy safetensors reading: the 8-byte little-endian header length and the JSON header are read
 * when a file is opened; a tensor's bytes are read (fs.readSync at its offset, into a buffer of
 * just that tensor) only when it is asked for. A 14 GB checkpoint is never held in one buffer.
 * F32/F16/BF16 become Float32Array. Format: https://github.com/huggingface/safetensors#format
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { decodeToFloat32 } from './dtypes';
import { CheckpointError } from './errors';
import type { DType, TensorInfo, TensorStore } from './types';

/** Bytes per element of every safetensors dtype, so headers of any file can be validated. */
const DTYPE_BYTES: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1,
};
const SUPPORTED: ReadonlySet<string> = new Set<DType>(['F32', 'F16', 'BF16']);
/** A header larger than this is not a real header (HF caps it at 100 MB too). */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** readSync takes at most 2 GiB per call; bigger tensors are read in chunks. */
const READ_CHUNK = 1 << 30;

/** Where one tensor's bytes are, as found in a safetensors header. */
export interface TensorLocation {
  file: string;
  /** The name in the file (before any renaming). */
  fileName: string;
  dtype: string;
  shape: number[];
  /** Absolute byte offset in the file and byte length. */
  offset: number;
  length: number;
}

const redownload = 'The file is damaged or incomplete: download it again from the model repository.';

function headerError(file: string, reason: string, tensor?: string): CheckpointError {
  return new CheckpointError({ kind: 'bad-header', file, reason, hint: redownload, ...(tensor === undefined ? {} : { tensor }) });
}

function readExactly(fd: number, target: Uint8Array, position: number): number {
  let done = 0;
  while (done < target.length) {
    const n = readSync(fd, target, done, Math.min(READ_CHUNK, target.length - done), position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * Reads and validates the header of one safetensors file (reading only the header bytes).
 * Throws CheckpointError naming the file (and tensor): 'truncated' when the file is shorter than
 * its header or than any tensor's data_offsets, 'bad-header' for malformed JSON or entries.
 */
export function readSafetensorsHeader(file: string): TensorLocation[] {
  const fd = openSync(file, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    if (fileSize < 8) {
      throw new CheckpointError({ kind: 'truncated', file, reason: `only ${fileSize} bytes, too short for a safetensors header`, hint: redownload });
    }
    const lengthBytes = new Uint8Array(8);
    readExactly(fd, lengthBytes, 0);
    const headerLength = Number(new DataView(lengthBytes.buffer).getBigUint64(0, true));
    if (headerLength > MAX_HEADER_BYTES) throw headerError(file, `header length ${headerLength} is implausible (not a safetensors file?)`);
    if (8 + headerLength > fileSize) {
      throw new CheckpointError({ kind: 'truncated', file, reason: `header needs ${headerLength} bytes but the file has ${fileSize} bytes in all`, hint: redownload });
    }
    const headerBytes = new Uint8Array(headerLength);
    readExactly(fd, headerBytes, 8);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder().decode(headerBytes));
    } catch (err) {
      throw headerError(file, `header is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) throw headerError(file, 'header is not a JSON object');
    const dataStart = 8 + headerLength;
    const locations: TensorLocation[] = [];
    for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') continue;
      locations.push(parseEntry(file, name, entry, dataStart, fileSize));
    }
    return locations;
  } finally {
    closeSync(fd);
  }
}

function parseEntry(file: string, name: string, entry: unknown, dataStart: number, fileSize: number): TensorLocation {
  const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
  if (typeof e !== 'object' || e === null) throw headerError(file, 'header entry is not an object', name);
  const { dtype, shape, data_offsets: offsets } = e;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) throw headerError(file, `unknown dtype ${JSON.stringify(dtype)}`, name);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw headerError(file, `bad shape ${JSON.stringify(shape)}`, name);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[1] < offsets[0]) {
    throw headerError(file, `bad data_offsets ${JSON.stringify(offsets)}`, name);
  }
  const [begin, end] = offsets as [number, number];
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  const bytes = DTYPE_BYTES[dtype] ?? 0;
  if (end - begin !== count * bytes) {
    throw headerError(file, `data_offsets span ${end - begin} bytes but ${dtype}[${shape.join(', ')}] needs ${count * bytes}`, name);
  }
  if (dataStart + end > fileSize) {
    throw new CheckpointError({
      kind: 'truncated',
      file,
      tensor: name,
      reason: `data ends at byte ${dataStart + end} but the file has only ${fileSize} bytes (truncated download?)`,
      hint: redownload,
    });
  }
  return { file, fileName: name, dtype, shape: shape as number[], offset: dataStart + begin, length: end - begin };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * A TensorStore over safetensors files. Tensors are registered under canonical names (see
 * names.ts) with `add`; `alias` makes one name read another's bytes (tied embeddings).
 * File descriptors are opened on first read and kept until `close()`.
 */
export class SafetensorsStore implements TensorStore {
  private readonly tensors = new Map<string, TensorLocation>();
  private readonly fds = new Map<string, number>();

  /** @param where the file named in 'missing-tensor' errors (model.safetensors or the shard index). */
  constructor(readonly where: string) {}

  /** Registers a tensor under `name`; a second tensor under the same name is an error. */
  add(name: string, location: TensorLocation): void {
    const existing = this.tensors.get(name);
    if (existing) {
      throw headerError(location.file, `'${location.fileName}' and '${existing.fileName}' (in ${existing.file}) both map to ${name}`, name);
    }
    this.tensors.set(name, location);
  }

  /** Makes `name` read the same bytes as `target` (which must exist). */
  alias(name: string, target: string): void {
    this.tensors.set(name, this.location(target));
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  info(name: string): TensorInfo {
    const loc = this.location(name);
    if (!SUPPORTED.has(loc.dtype)) {
      throw new CheckpointError({
        kind: 'bad-dtype', file: loc.file, tensor: name,
        reason: `dtype ${loc.dtype} is not supported (only F32, F16, BF16)`,
        hint: 'Convert the checkpoint to float16/bfloat16/float32 safetensors (quantized checkpoints are not supported).',
      });
    }
    return { name, dtype: loc.dtype as DType, shape: [...loc.shape], file: loc.file };
  }

  /** Throws 'wrong-shape' naming file and tensor when the stored shape differs from `expected`. */
  checkShape(name: string, expected: readonly number[]): TensorInfo {
    const info = this.info(name);
    if (!sameShape(info.shape, expected)) {
      throw new CheckpointError({
        kind: 'wrong-shape', file: info.file, tensor: name,
        reason: `shape is [${info.shape.join(', ')}] but config.json implies [${expected.join(', ')}]`,
        hint: 'config.json does not match the weights: use the config.json that came with these weights.',
      });
    }
    return info;
  }

  get(name: string, expectedShape?: number[]): Float32Array {
    const info = expectedShape ? this.checkShape(name, expectedShape) : this.info(name);
    const loc = this.location(name);
    const bytes = new Uint8Array(loc.length);
    const read = readExactly(this.fd(loc.file), bytes, loc.offset);
    if (read !== loc.length) {
      throw new CheckpointError({ kind: 'truncated', file: loc.file, tensor: name, reason: `read ${read} of ${loc.length} bytes (file changed on disk?)`, hint: redownload });
    }
    const values = decodeToFloat32(bytes, info.dtype);
    assertFinite(values, loc.file, name);
    return values;
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }

  private location(name: string): TensorLocation {
    const loc = this.tensors.get(name);
    if (!loc) {
      throw new CheckpointError({
        kind: 'missing-tensor', file: this.where, tensor: name,
        reason: 'tensor not found in the checkpoint',
        hint: 'The checkpoint is incomplete or belongs to a different architecture: re-download it, or check that config.json matches the weights.',
      });
    }
    return loc;
  }

  private fd(file: string): number {
    let fd = this.fds.get(file);
    if (fd === undefined) {
      fd = openSync(file, 'r');
      this.fds.set(file, fd);
    }
    return fd;
  }
}

/** Throws 'non-finite' naming file, tensor, the first bad index and how many there are. */
export function assertFinite(values: Float32Array, file: string, tensor: string): void {
  let first = -1;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] as number)) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (count > 0) {
    throw new CheckpointError({
      kind: 'non-finite', file, tensor,
      reason: `${count} of ${values.length} values are NaN or Inf (first at flat index ${first}: ${values[first]})`,
      hint: 'The weights are corrupt or overflowed when converted (e.g. float32 → float16): re-export or re-download them.',
    });
  }
}
