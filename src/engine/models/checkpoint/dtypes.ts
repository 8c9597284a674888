/**
 * Conversions between float32 and the 16-bit float formats of safetensors checkpoints
 * (IEEE half F16, bfloat16 BF16), both directions, little-endian as safetensors stores them.
 * Encoding rounds to nearest even, like torch's `.half()` / `.bfloat16()`, so a tiny checkpoint
 * written here holds the same bits PyTorch would write for the same float32 values.
 */
import type { DType } from './types';

/** Bytes per element of the float dtypes we read and write. */
export const FLOAT_BYTES: Record<DType, number> = { F32: 4, F16: 2, BF16: 2 };

let halfTable: Float32Array | undefined;
/** All 65536 half-precision values as float32, built once: decoding is then one lookup per element. */
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) table[h] = sign * frac * 2 ** -24;
    else if (exp === 31) table[h] = frac ? NaN : sign * Infinity;
    else table[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  halfTable = table;
  return table;
}

/** Decodes little-endian F32/F16/BF16 bytes to float32. F32 input is viewed, not copied. */
export function decodeToFloat32(bytes: Uint8Array, dtype: DType): Float32Array {
  if (dtype === 'F32') return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
  const out = new Float32Array(halves.length);
  if (dtype === 'F16') {
    const table = halfToFloatTable();
    for (let i = 0; i < halves.length; i++) out[i] = table[halves[i] as number] as number;
  } else {
    // bfloat16 is the top half of a float32.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < halves.length; i++) bits[i] = (halves[i] as number) << 16;
  }
  return out;
}

/** float32 bits → half bits, round to nearest even; overflow → ±Inf, NaN stays NaN. */
function floatBitsToHalf(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: value = M · 2^(e − 14) half-ulps with M the 24-bit significand.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Inf).
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** Encodes float32 values as little-endian bytes of `dtype` (round to nearest even). */
export function encodeFromFloat32(values: Float32Array, dtype: DType): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const bits = new Uint32Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const out = new Uint16Array(values.length);
  if (dtype === 'F16') {
    for (let i = 0; i < bits.length; i++) out[i] = floatBitsToHalf(bits[i] as number);
  } else {
    for (let i = 0; i < bits.length; i++) {
      const x = bits[i] as number;
      const isNaN = (x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0;
      out[i] = isNaN ? ((x >>> 16) | 0x40) : ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
    }
  }
  return new Uint8Array(out.buffer);
}

/** What float32 values become after a round trip through `dtype` (for tests and references). */
export function roundTripThrough(values: Float32Array, dtype: DType): Float32Array {
  return dtype === 'F32' ? values.slice() : decodeToFloat32(encodeFromFloat32(values, dtype), dtype);
}
