/**
 * WebAssembly SIMD versions of the dot-product kernels in similarity.ts (`gram`, `dotsWithRows`),
 * of merge means (from zero or from a start row), weighted row sums, row normalisation and
 * nearest-row assignment, with the same results bit for bit: every dot product is the
 * even-indexed products summed in order and the odd-indexed ones likewise, in float64, then
 * even + odd — which is exactly a two-lane f64x2 accumulator (lane 0 even, lane 1 odd) fed with
 * float32 pairs promoted to float64.
 *
 * Why: the pairwise methods (DivPrune, ToDRE, PruMerge+, VisionZip, SparseVLM's raters) spend most of their
 * selection time in these loops, and a hook runs once per answer — too rarely for V8 to optimise
 * the JS loops before the answer is done. WebAssembly is compiled when the module is created, so
 * the kernels run at machine speed from the first call, two products per instruction.
 *
 * The module is assembled here from opcodes (no toolchain, no binary blob in the repository).
 * Where WebAssembly SIMD is unavailable, `simdKernels()` returns null and callers keep the JS path.
 */

/** Unsigned LEB128. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (small constants only). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

const I32 = 0x7f;
const F32 = 0x7d;
const F64 = 0x7c;
const V128 = 0x7b;
const get = (i: number): number[] => [0x20, ...leb(i)];
const set = (i: number): number[] => [0x21, ...leb(i)];
const i32 = (v: number): number[] => [0x41, ...sleb(v)];
const ADD = 0x6a;
const MUL = 0x6c;
const SHL = 0x74;
const GE_S = 0x4e;
const GT_S = 0x4a;
const LT_S = 0x48;
const F64_ADD = 0xa0;
const F64_MUL = 0xa2;
const PROMOTE = 0xbb;
const DEMOTE = 0xb6;
const f32Load = (offset = 0): number[] => [0x2a, 2, ...leb(offset)];
const f32Store = (offset = 0): number[] => [0x38, 2, ...leb(offset)];
const f64Load = (offset = 0): number[] => [0x2b, 3, ...leb(offset)];
const f64Store = (offset = 0): number[] => [0x39, 3, ...leb(offset)];
const simd = (op: number): number[] => [0xfd, ...leb(op)];
/** Two float32 at the address into the low half of a v128, promoted to an f64x2. */
const loadPair = [...simd(0x5d), 2, 0, ...simd(0x5f)];
const F64X2_ADD = simd(0xf0);
const F64X2_MUL = simd(0xf2);
const lane = (l: number): number[] => [...simd(0x21), l];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const IF = [0x04, 0x40];
const END = 0x0b;
const br = (depth: number): number[] => [0x0c, depth];
const brIf = (depth: number): number[] => [0x0d, depth];
const call = (f: number): number[] => [0x10, ...leb(f)];

/** A function body: local declarations (count, type) and code. */
function body(locals: Array<[number, number]>, code: number[]): number[] {
  const content = [...leb(locals.length), ...locals.flatMap(([n, t]) => [...leb(n), t]), ...code, END];
  return [...leb(content.length), ...content];
}

/**
 * Dot products of row x with `rows` rows starting at the given addresses (byte offsets), the
 * similarity.ts way; the body of `dot4` (rows = 4, results stored as f64 at `o`) and `dot1`
 * (rows = 1, result returned). Params: x, r, d (elements), [s (row stride, bytes), o]; then locals.
 */
function dotBody(rows: 1 | 4): number[] {
  const [X, R, D] = [0, 1, 2];
  const base = rows === 4 ? 5 : 3; // dot4 has s = 3, o = 4
  const C = base;
  const END_ = base + 1;
  const rowAt = rows === 4 ? [R, base + 2, base + 3, base + 4] : [R];
  const acc = (q: number): number => base + (rows === 4 ? 5 : 2) + q;
  const XV = acc(rows);
  const E = XV + 1;
  const O = XV + 2;
  const code: number[] = [...get(D), ...i32(2), SHL, ...set(END_)];
  if (rows === 4) for (let q = 1; q < 4; q++) code.push(...get(rowAt[q - 1]!), ...get(3), ADD, ...set(rowAt[q]!));
  code.push(...BLOCK, ...LOOP);
  code.push(...get(C), ...i32(8), ADD, ...get(END_), GT_S, ...brIf(1));
  code.push(...get(X), ...get(C), ADD, ...loadPair, ...set(XV));
  for (let q = 0; q < rows; q++) code.push(...get(acc(q)), ...get(XV), ...get(rowAt[q]!), ...get(C), ADD, ...loadPair, ...F64X2_MUL, ...F64X2_ADD, ...set(acc(q)));
  code.push(...get(C), ...i32(8), ADD, ...set(C), ...br(0), END, END);
  for (let q = 0; q < rows; q++) {
    code.push(...get(acc(q)), ...lane(0), ...set(E), ...get(acc(q)), ...lane(1), ...set(O));
    // An odd width leaves one element: it goes to the even sum, as in rowDot and dot4.
    code.push(...get(C), ...get(END_), LT_S, ...IF, ...get(E), ...get(X), ...get(C), ADD, ...f32Load(), PROMOTE, ...get(rowAt[q]!), ...get(C), ADD, ...f32Load(), PROMOTE, F64_MUL, F64_ADD, ...set(E), END);
    if (rows === 4) code.push(...get(4), ...get(E), ...get(O), F64_ADD, ...f64Store(8 * q));
    else code.push(...get(E), ...get(O), F64_ADD);
  }
  const locals: Array<[number, number]> = rows === 4 ? [[5, I32], [5, V128], [2, F64]] : [[2, I32], [2, V128], [2, F64]];
  return body(locals, code);
}

const DOT4 = 0;
const DOT1 = 1;

/** dots(x, m, n, d, o): o[v] (f64) = ⟨row at x, row v of the n×d matrix at m⟩. */
function dotsBody(): number[] {
  const [X, M, N, D, O, V, RB] = [0, 1, 2, 3, 4, 5, 6];
  const rowAddr = [...get(M), ...get(V), ...get(RB), MUL, ADD];
  return body([[2, I32]], [
    ...get(D), ...i32(2), SHL, ...set(RB),
    ...BLOCK, ...LOOP, ...get(V), ...i32(3), ADD, ...get(N), GE_S, ...brIf(1),
    ...get(X), ...rowAddr, ...get(D), ...get(RB), ...get(O), ...get(V), ...i32(3), SHL, ADD, ...call(DOT4),
    ...get(V), ...i32(4), ADD, ...set(V), ...br(0), END, END,
    ...BLOCK, ...LOOP, ...get(V), ...get(N), GE_S, ...brIf(1),
    ...get(O), ...get(V), ...i32(3), SHL, ADD, ...get(X), ...rowAddr, ...get(D), ...call(DOT1), ...f64Store(),
    ...get(V), ...i32(1), ADD, ...set(V), ...br(0), END, END,
  ]);
}

/** gram(m, n, d, o, tmp): o (f32, n×n) = the Gram matrix of the rows at m, upper triangle computed and mirrored. */
function gramBody(): number[] {
  const [M, N, D, O, TMP, I, J, RB, X, VAL] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const rowJ = [...get(M), ...get(J), ...get(RB), MUL, ADD];
  // Stores VAL at o[(i·n + j + q)] and o[((j + q)·n + i)].
  const storeBoth = (q: number): number[] => [
    ...get(O), ...get(I), ...get(N), MUL, ...get(J), ADD, ...i32(q), ADD, ...i32(2), SHL, ADD, ...get(VAL), ...f32Store(),
    ...get(O), ...get(J), ...i32(q), ADD, ...get(N), MUL, ...get(I), ADD, ...i32(2), SHL, ADD, ...get(VAL), ...f32Store(),
  ];
  const code: number[] = [
    ...get(D), ...i32(2), SHL, ...set(RB),
    ...BLOCK, ...LOOP, ...get(I), ...get(N), GE_S, ...brIf(1),
    ...get(M), ...get(I), ...get(RB), MUL, ADD, ...set(X), ...get(I), ...set(J),
    ...BLOCK, ...LOOP, ...get(J), ...i32(3), ADD, ...get(N), GE_S, ...brIf(1),
    ...get(X), ...rowJ, ...get(D), ...get(RB), ...get(TMP), ...call(DOT4),
  ];
  for (let q = 0; q < 4; q++) code.push(...get(TMP), ...f64Load(8 * q), DEMOTE, ...set(VAL), ...storeBoth(q));
  code.push(
    ...get(J), ...i32(4), ADD, ...set(J), ...br(0), END, END,
    ...BLOCK, ...LOOP, ...get(J), ...get(N), GE_S, ...brIf(1),
    ...get(X), ...rowJ, ...get(D), ...call(DOT1), DEMOTE, ...set(VAL), ...storeBoth(0),
    ...get(J), ...i32(1), ADD, ...set(J), ...br(0), END, END,
    ...get(I), ...i32(1), ADD, ...set(I), ...br(0), END, END,
  );
  return body([[4, I32], [1, F32]], code);
}

const F64X2_DIV = simd(0xf3);
const F64X2_SPLAT = simd(0x14);
/** Demotes an f64x2 to the low two f32 lanes and stores those 8 bytes at the address below it. */
const storePair = [...simd(0x5e), ...simd(0x5b), 2, 0, 0];
const I32_LOAD = [0x28, 2, 0];
const I32_STORE = [0x36, 2, 0];
const ELSE = 0x05;
const F64_DIV = 0xa3;
const F64_CONVERT_I32_S = 0xb7;
const F64_GT = 0x64;
const F32_CONST_0 = [0x43, 0, 0, 0, 0];

/**
 * meanRows(src, d, starts, idx, counts, groups, out): for each group g, out row g = src row
 * starts[g] (copied bit for bit; zeros when starts[g] < 0) + Σ src[idx…] / count, accumulated
 * member by member with float32 rounding after each add — addDividedRow's arithmetic
 * (f32(out + f64(src) / count)) on two elements at a time. idx: the groups' member rows, in order.
 */
function meanRowsBody(): number[] {
  const [SRC, D, STARTS, IDX, COUNTS, GROUPS, OUT] = [0, 1, 2, 3, 4, 5, 6];
  const [G, POS, CNT, T, M, C, O, RB, S] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
  const BY = 16;
  const BYV = 17;
  const divided = (addr: number[]): number[] => [...addr, ...f32Load(), PROMOTE, ...get(BY), F64_DIV];
  return body([[9, I32], [1, F64], [1, V128]], [
    ...get(D), ...i32(2), SHL, ...set(RB), ...get(IDX), ...set(POS),
    ...BLOCK, ...LOOP, ...get(G), ...get(GROUPS), GE_S, ...brIf(1),
    ...get(OUT), ...get(G), ...get(RB), MUL, ADD, ...set(O),
    ...get(STARTS), ...get(G), ...i32(2), SHL, ADD, ...I32_LOAD, ...set(S),
    // The row starts as its start row (an i32 copy keeps every bit) or at 0, as hidden.fill(0) leaves it.
    ...i32(0), ...set(C),
    ...get(S), ...i32(0), LT_S, ...IF,
    ...BLOCK, ...LOOP, ...get(C), ...get(RB), GE_S, ...brIf(1),
    ...get(O), ...get(C), ADD, ...F32_CONST_0, ...f32Store(), ...get(C), ...i32(4), ADD, ...set(C), ...br(0), END, END,
    ELSE,
    ...get(SRC), ...get(S), ...get(RB), MUL, ADD, ...set(M),
    ...BLOCK, ...LOOP, ...get(C), ...get(RB), GE_S, ...brIf(1),
    ...get(O), ...get(C), ADD, ...get(M), ...get(C), ADD, ...I32_LOAD, ...I32_STORE, ...get(C), ...i32(4), ADD, ...set(C), ...br(0), END, END,
    END,
    ...get(COUNTS), ...get(G), ...i32(2), SHL, ADD, ...I32_LOAD, ...set(CNT),
    ...get(CNT), F64_CONVERT_I32_S, ...set(BY), ...get(BY), ...F64X2_SPLAT, ...set(BYV),
    ...i32(0), ...set(T),
    ...BLOCK, ...LOOP, ...get(T), ...get(CNT), GE_S, ...brIf(1),
    ...get(SRC), ...get(POS), ...I32_LOAD, ...get(RB), MUL, ADD, ...set(M),
    ...get(POS), ...i32(4), ADD, ...set(POS),
    ...i32(0), ...set(C),
    ...BLOCK, ...LOOP, ...get(C), ...i32(8), ADD, ...get(RB), GT_S, ...brIf(1),
    ...get(O), ...get(C), ADD,
    ...get(O), ...get(C), ADD, ...loadPair, ...get(M), ...get(C), ADD, ...loadPair, ...get(BYV), ...F64X2_DIV, ...F64X2_ADD, ...storePair,
    ...get(C), ...i32(8), ADD, ...set(C), ...br(0), END, END,
    // An odd width leaves one element.
    ...get(C), ...get(RB), LT_S, ...IF,
    ...get(O), ...get(C), ADD, ...get(O), ...get(C), ADD, ...f32Load(), PROMOTE, ...divided([...get(M), ...get(C), ADD]), F64_ADD, DEMOTE, ...f32Store(),
    END,
    ...get(T), ...i32(1), ADD, ...set(T), ...br(0), END, END,
    ...get(G), ...i32(1), ADD, ...set(G), ...br(0), END, END,
  ]);
}

const F64_CONST_NEG_INF = [0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0xff];

/**
 * nearest(m, d, rows, nRows, targets, nTargets, out): for each i < nRows, out[i] (i32) = the t <
 * nTargets whose row targets[t] of the row-major n×d matrix at m has the largest dot product with
 * row rows[i] (dot1's arithmetic, the same value as rowDot), the first on ties; 0 when every dot
 * is NaN or nTargets is 0 — a `sim > best` scan from −∞, as VisionZip's assignment loop.
 */
function nearestBody(): number[] {
  const [M, D, ROWS, NR, TARGETS, NT, OUT] = [0, 1, 2, 3, 4, 5, 6];
  const [I, T, X, BEST, RB] = [7, 8, 9, 10, 11];
  const [SIM, BEST_SIM] = [12, 13];
  const rowOf = (list: number, at: number): number[] => [...get(M), ...get(list), ...get(at), ...i32(2), SHL, ADD, ...I32_LOAD, ...get(RB), MUL, ADD];
  return body([[5, I32], [2, F64]], [
    ...get(D), ...i32(2), SHL, ...set(RB),
    ...BLOCK, ...LOOP, ...get(I), ...get(NR), GE_S, ...brIf(1),
    ...rowOf(ROWS, I), ...set(X),
    ...i32(0), ...set(BEST), ...F64_CONST_NEG_INF, ...set(BEST_SIM), ...i32(0), ...set(T),
    ...BLOCK, ...LOOP, ...get(T), ...get(NT), GE_S, ...brIf(1),
    ...get(X), ...rowOf(TARGETS, T), ...get(D), ...call(DOT1), ...set(SIM),
    ...get(SIM), ...get(BEST_SIM), F64_GT, ...IF, ...get(SIM), ...set(BEST_SIM), ...get(T), ...set(BEST), END,
    ...get(T), ...i32(1), ADD, ...set(T), ...br(0), END, END,
    ...get(OUT), ...get(I), ...i32(2), SHL, ADD, ...get(BEST), ...I32_STORE,
    ...get(I), ...i32(1), ADD, ...set(I), ...br(0), END, END,
  ]);
}

/**
 * axpyRows(src, d, idx, coef, counts, groups, out): for each group g, out row g (already holding
 * its start value) += coef[t] · src row idx[t] for the group's members t in order, rounding to
 * float32 after each add — addScaledRow's arithmetic, two elements at a time. coef is float64.
 */
function axpyRowsBody(): number[] {
  const [SRC, D, IDX, COEF, COUNTS, GROUPS, OUT] = [0, 1, 2, 3, 4, 5, 6];
  const [G, POS, CNT, T, M, C, O, RB] = [7, 8, 9, 10, 11, 12, 13, 14];
  const A = 15;
  const AV = 16;
  return body([[8, I32], [1, F64], [1, V128]], [
    ...get(D), ...i32(2), SHL, ...set(RB),
    ...BLOCK, ...LOOP, ...get(G), ...get(GROUPS), GE_S, ...brIf(1),
    ...get(OUT), ...get(G), ...get(RB), MUL, ADD, ...set(O),
    ...get(COUNTS), ...get(G), ...i32(2), SHL, ADD, ...I32_LOAD, ...set(CNT),
    ...i32(0), ...set(T),
    ...BLOCK, ...LOOP, ...get(T), ...get(CNT), GE_S, ...brIf(1),
    ...get(SRC), ...get(IDX), ...get(POS), ...i32(2), SHL, ADD, ...I32_LOAD, ...get(RB), MUL, ADD, ...set(M),
    ...get(COEF), ...get(POS), ...i32(3), SHL, ADD, ...f64Load(), ...set(A), ...get(A), ...F64X2_SPLAT, ...set(AV),
    ...get(POS), ...i32(1), ADD, ...set(POS),
    ...i32(0), ...set(C),
    ...BLOCK, ...LOOP, ...get(C), ...i32(8), ADD, ...get(RB), GT_S, ...brIf(1),
    ...get(O), ...get(C), ADD,
    ...get(O), ...get(C), ADD, ...loadPair, ...get(AV), ...get(M), ...get(C), ADD, ...loadPair, ...F64X2_MUL, ...F64X2_ADD, ...storePair,
    ...get(C), ...i32(8), ADD, ...set(C), ...br(0), END, END,
    ...get(C), ...get(RB), LT_S, ...IF,
    ...get(O), ...get(C), ADD, ...get(O), ...get(C), ADD, ...f32Load(), PROMOTE, ...get(A), ...get(M), ...get(C), ADD, ...f32Load(), PROMOTE, F64_MUL, F64_ADD, DEMOTE, ...f32Store(),
    END,
    ...get(T), ...i32(1), ADD, ...set(T), ...br(0), END, END,
    ...get(G), ...i32(1), ADD, ...set(G), ...br(0), END, END,
  ]);
}

const F64_SQRT = 0x9f;
const F64_CONST_0 = [0x44, 0, 0, 0, 0, 0, 0, 0, 0];

/**
 * normalizeRows(m, n, d): scales every row of the n×d float32 matrix at m, in place, to unit L2
 * norm, as matrix.ts normalizeRows does: the squares summed in order in float64, the square root,
 * then each element divided in float64 and rounded to float32; a zero row stays as it is.
 */
function normalizeRowsBody(): number[] {
  const [M, N, D] = [0, 1, 2];
  const [I, ROW, C, RB] = [3, 4, 5, 6];
  const SQ = 7;
  const NV = 8;
  return body([[4, I32], [1, F64], [1, V128]], [
    ...get(D), ...i32(2), SHL, ...set(RB),
    ...BLOCK, ...LOOP, ...get(I), ...get(N), GE_S, ...brIf(1),
    ...get(M), ...get(I), ...get(RB), MUL, ADD, ...set(ROW),
    ...F64_CONST_0, ...set(SQ), ...i32(0), ...set(C),
    // One running sum, in order (the reference sums sequentially, not in lanes).
    ...BLOCK, ...LOOP, ...get(C), ...get(RB), GE_S, ...brIf(1),
    ...get(SQ), ...get(ROW), ...get(C), ADD, ...f32Load(), PROMOTE, ...get(ROW), ...get(C), ADD, ...f32Load(), PROMOTE, F64_MUL, F64_ADD, ...set(SQ),
    ...get(C), ...i32(4), ADD, ...set(C), ...br(0), END, END,
    ...get(SQ), F64_SQRT, ...set(SQ),
    ...get(SQ), ...F64_CONST_0, F64_GT, ...IF,
    ...get(SQ), ...F64X2_SPLAT, ...set(NV), ...i32(0), ...set(C),
    ...BLOCK, ...LOOP, ...get(C), ...i32(8), ADD, ...get(RB), GT_S, ...brIf(1),
    ...get(ROW), ...get(C), ADD, ...get(ROW), ...get(C), ADD, ...loadPair, ...get(NV), ...F64X2_DIV, ...storePair,
    ...get(C), ...i32(8), ADD, ...set(C), ...br(0), END, END,
    ...get(C), ...get(RB), LT_S, ...IF,
    ...get(ROW), ...get(C), ADD, ...get(ROW), ...get(C), ADD, ...f32Load(), PROMOTE, ...get(SQ), F64_DIV, DEMOTE, ...f32Store(),
    END,
    END,
    ...get(I), ...i32(1), ADD, ...set(I), ...br(0), END, END,
  ]);
}

function section(id: number, content: number[]): number[] {
  return [id, ...leb(content.length), ...content];
}

function name(s: string): number[] {
  return [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

/** The module's bytes: functions dot4, dot1 (internal), dots, gram, meanRows, normalizeRows, axpyRows, nearest (exported) and its memory. */
function moduleBytes(): Uint8Array {
  const t5 = [0x60, 5, I32, I32, I32, I32, I32, 0];
  const t3f = [0x60, 3, I32, I32, I32, 1, F64];
  const t3 = [0x60, 3, I32, I32, I32, 0];
  const t7 = [0x60, 7, I32, I32, I32, I32, I32, I32, I32, 0];
  const bodies = [dotBody(4), dotBody(1), dotsBody(), gramBody(), meanRowsBody(), normalizeRowsBody(), axpyRowsBody(), nearestBody()];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [4, ...t5, ...t3f, ...t3, ...t7]),
    ...section(3, [8, 0, 1, 0, 0, 3, 2, 3, 3]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [7, ...name('memory'), 0x02, 0, ...name('dots'), 0x00, 2, ...name('gram'), 0x00, 3, ...name('meanRows'), 0x00, 4, ...name('normalizeRows'), 0x00, 5, ...name('axpyRows'), 0x00, 6, ...name('nearest'), 0x00, 7]),
    ...section(10, [bodies.length, ...bodies.flat()]),
  ]);
}

/** The part of the WebAssembly API used here (the Node lib types this project compiles against lack it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

interface Exports {
  memory: WasmMemory;
  dots(x: number, m: number, n: number, d: number, o: number): void;
  gram(m: number, n: number, d: number, o: number, tmp: number): void;
  meanRows(src: number, d: number, starts: number, idx: number, counts: number, groups: number, out: number): void;
  normalizeRows(m: number, n: number, d: number): void;
  axpyRows(src: number, d: number, idx: number, coef: number, counts: number, groups: number, out: number): void;
  nearest(m: number, d: number, rows: number, nRows: number, targets: number, nTargets: number, out: number): void;
}

/** The kernels over one growable memory. */
export interface SimdKernels {
  /** Float32 views are invalidated when memory grows: take them after `reserve`. */
  readonly memory: WasmMemory;
  /** Makes the memory at least `bytes` long. */
  reserve(bytes: number): void;
  dots(x: number, m: number, n: number, d: number, o: number): void;
  gram(m: number, n: number, d: number, o: number, tmp: number): void;
  meanRows(src: number, d: number, starts: number, idx: number, counts: number, groups: number, out: number): void;
  normalizeRows(m: number, n: number, d: number): void;
  axpyRows(src: number, d: number, idx: number, coef: number, counts: number, groups: number, out: number): void;
  nearest(m: number, d: number, rows: number, nRows: number, targets: number, nTargets: number, out: number): void;
}

let kernels: SimdKernels | null | undefined;

/** The compiled kernels, or null where WebAssembly SIMD is not available (then use the JS kernels). */
export function simdKernels(): SimdKernels | null {
  if (kernels !== undefined) return kernels;
  const bytes = moduleBytes();
  if (!wasm || !wasm.validate(bytes)) return (kernels = null);
  const e = new wasm.Instance(new wasm.Module(bytes)).exports as Exports;
  kernels = {
    memory: e.memory,
    reserve(n: number) {
      const have = e.memory.buffer.byteLength;
      if (n > have) e.memory.grow(Math.ceil((n - have) / 65536));
    },
    dots: e.dots,
    gram: e.gram,
    meanRows: e.meanRows,
    normalizeRows: e.normalizeRows,
    axpyRows: e.axpyRows,
    nearest: e.nearest,
  };
  return kernels;
}
