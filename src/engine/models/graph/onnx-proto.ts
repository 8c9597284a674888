/**
 * A minimal protobuf encoder for the subset of onnx.proto (ONNX IR ≤ 13) that the graph builder
 * emits: ModelProto → GraphProto → NodeProto / TensorProto / ValueInfoProto / AttributeProto.
 *
 * Why hand-rolled: the subset is ~15 fields, the encoder is write-only, and it lets initializers
 * be written straight from Float32Array memory without a reflection layer. Field numbers are
 * those of onnx/onnx.proto (checked against the ONNX 1.17 schema); onnxruntime is the decoder
 * that the tests use to prove the bytes are valid.
 */

/** ONNX TensorProto.DataType values we use. */
export const OnnxDataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
export type OnnxDataTypeCode = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** A tensor constant: weights (float32) or small index/shape constants (int64). */
export interface TensorValue {
  name: string;
  dataType: OnnxDataTypeCode;
  dims: readonly number[];
  /** Little-endian element bytes (raw_data). */
  raw: Uint8Array;
}

/** A node attribute, encoded by the type of its value. */
export type AttributeValue = number | string | number[] | { floats: number[] } | { int: number } | { float: number } | TensorValue;

/** One operator application. */
export interface NodeValue {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attributes?: Record<string, AttributeValue>;
}

/** A graph input or output: element type plus dims (a string is a symbolic dim). */
export interface ValueInfo {
  name: string;
  dataType: OnnxDataTypeCode;
  dims: readonly (number | string)[];
}

/** A whole graph and the model wrapper written around it. */
export interface ModelValue {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  graphName: string;
  nodes: readonly NodeValue[];
  initializers: readonly TensorValue[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
}

/** Growable byte sink with protobuf wire-format primitives. */
class Writer {
  private buf = new Uint8Array(1024);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Unsigned varint; negative int64 values are written as 10-byte two's complement. */
  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }

  tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint((field << 3) | wireType);
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }

  int(field: number, value: number): void {
    this.tag(field, 0);
    this.varint(value);
  }

  float(field: number, value: number): void {
    this.tag(field, 5);
    this.reserve(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, value, true);
    this.len += 4;
  }

  message(field: number, write: (w: Writer) => void): void {
    const inner = new Writer();
    write(inner);
    this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

function writeTensor(w: Writer, t: TensorValue): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dataType);
  w.string(8, t.name);
  w.bytes(9, t.raw);
}

// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_TENSOR = 4;
const ATTR_FLOATS = 6;
const ATTR_INTS = 7;

function writeAttribute(w: Writer, name: string, value: AttributeValue): void {
  w.string(1, name);
  if (typeof value === 'number') {
    // A bare number is an int attribute: ONNX ops mostly take ints (axis, keepdims…); floats
    // must be passed as { float } so an integral float like 1.0 is not mis-typed.
    if (!Number.isInteger(value)) throw new Error(`ONNX attribute '${name}': ${value} is not an integer; pass { float: ${value} } for a float attribute.`);
    w.int(3, value);
    w.int(20, ATTR_INT);
  } else if (typeof value === 'string') {
    w.string(4, value);
    w.int(20, ATTR_STRING);
  } else if (Array.isArray(value)) {
    for (const v of value) w.int(8, v);
    w.int(20, ATTR_INTS);
  } else if ('float' in value) {
    w.float(2, value.float);
    w.int(20, ATTR_FLOAT);
  } else if ('int' in value) {
    w.int(3, value.int);
    w.int(20, ATTR_INT);
  } else if ('floats' in value) {
    for (const v of value.floats) w.float(7, v);
    w.int(20, ATTR_FLOATS);
  } else {
    w.message(5, (m) => writeTensor(m, value));
    w.int(20, ATTR_TENSOR);
  }
}

function writeValueInfo(w: Writer, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.dataType);
      tensor.message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

/** Serialises a model to ONNX protobuf bytes, ready for `InferenceSession.create(bytes)`. */
export function encodeModel(model: ModelValue): Uint8Array {
  const w = new Writer();
  w.int(1, model.irVersion);
  w.string(2, model.producerName);
  w.message(7, (g) => {
    for (const n of model.nodes) {
      g.message(1, (nw) => {
        for (const i of n.inputs) nw.string(1, i);
        for (const o of n.outputs) nw.string(2, o);
        if (n.name) nw.string(3, n.name);
        nw.string(4, n.opType);
        for (const [k, v] of Object.entries(n.attributes ?? {})) nw.message(5, (a) => writeAttribute(a, k, v));
      });
    }
    g.string(2, model.graphName);
    for (const t of model.initializers) g.message(5, (tw) => writeTensor(tw, t));
    for (const i of model.inputs) g.message(11, (vw) => writeValueInfo(vw, i));
    for (const o of model.outputs) g.message(12, (vw) => writeValueInfo(vw, o));
  });
  w.message(8, (op) => {
    op.string(1, '');
    op.int(2, model.opsetVersion);
  });
  return w.finish();
}
