/**
 * GraphBuilder: an append-only ONNX graph under construction. Op helpers (ops.ts) call `op()` to
 * add nodes and get back fresh value names; builders declare inputs, outputs and initializers.
 * Everything is float32 except index/shape constants (int64).
 */
import { encodeModel, OnnxDataType, type AttributeValue, type NodeValue, type OnnxDataTypeCode, type TensorValue, type ValueInfo } from './onnx-proto';

/** Opset 18: LayerNormalization (17+), Split with num_outputs, ReduceMean axes as an input. */
export const OPSET = 18;
/** IR version 8 is what opset 18 pairs with; onnxruntime 1.30 reads up to 13. */
export const IR_VERSION = 8;

/** A value in the graph, by name. */
export type Value = string;

/** Builds one ONNX model; not reusable after `toBytes()`. */
export class GraphBuilder {
  private readonly nodes: NodeValue[] = [];
  private readonly initializers: TensorValue[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly constCache = new Map<string, Value>();
  /** Values renamed to an output's name (see `output`): later references to the old name follow. */
  private readonly renamed = new Map<Value, Value>();
  private counter = 0;

  constructor(readonly name: string) {}

  /** A fresh, unique value name with a readable prefix. */
  fresh(prefix: string): Value {
    return `${prefix}_${this.counter++}`;
  }

  /** Declares a graph input. Dims may be symbolic strings (dynamic lengths). */
  input(name: string, dataType: OnnxDataTypeCode, dims: readonly (number | string)[]): Value {
    this.inputs.push({ name, dataType, dims });
    return name;
  }

  /**
   * Declares `value` as a graph output named `name`. A value computed by a node of this graph is
   * renamed to `name` in place; an Identity node copies it only when it cannot be (a graph input,
   * an initializer, or a value already output under another name). Each Identity is a copy at
   * every run, and decoder graphs output every layer's K and V.
   */
  output(value: Value, name: string, dataType: OnnxDataTypeCode = OnnxDataType.FLOAT, dims: readonly (number | string)[] = []): void {
    value = this.resolve(value);
    if (value !== name) {
      const producer = this.nodes.findIndex((n) => n.outputs.includes(value));
      const free = !this.outputs.some((o) => o.name === value) && !this.inputs.some((i) => i.name === name) && !this.nodes.some((n) => n.outputs.includes(name));
      if (producer >= 0 && free) this.rename(value, name);
      else this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [name] });
    }
    this.outputs.push({ name, dataType, dims });
  }

  private resolve(value: Value): Value {
    return this.renamed.get(value) ?? value;
  }

  /** Renames `from` to `to` in every node that produces or reads it, and in later references. */
  private rename(from: Value, to: Value): void {
    for (let i = 0; i < this.nodes.length; i++) {
      const n = this.nodes[i]!;
      if (n.outputs.includes(from) || n.inputs.includes(from)) {
        this.nodes[i] = { ...n, inputs: n.inputs.map((v) => (v === from ? to : v)), outputs: n.outputs.map((v) => (v === from ? to : v)) };
      }
    }
    for (const [k, v] of this.renamed) if (v === from) this.renamed.set(k, to);
    this.renamed.set(from, to);
  }

  /** Adds a float32 initializer (weights); the array's bytes are referenced, not copied, until encoding. */
  weight(name: string, data: Float32Array, dims: readonly number[]): Value {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new Error(`graph ${this.name}: initializer ${name} has ${data.length} values, dims [${dims.join(',')}] need ${expected}.`);
    this.initializers.push({ name, dataType: OnnxDataType.FLOAT, dims, raw: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  /** An int64 constant tensor (shapes, axes, indices); deduplicated by content. */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): Value {
    const key = `i64:${dims.join('x')}:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.fresh('const_i64');
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dataType: OnnxDataType.INT64, dims, raw: new Uint8Array(data.buffer) });
    this.constCache.set(key, name);
    return name;
  }

  /** A float32 constant tensor (scalars by default); deduplicated by content. */
  float(values: readonly number[] | number, dims?: readonly number[]): Value {
    const list = typeof values === 'number' ? [values] : values;
    const shape = dims ?? (typeof values === 'number' ? [] : [list.length]);
    const key = `f32:${shape.join('x')}:${list.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.fresh('const_f32');
    const data = Float32Array.from(list);
    this.initializers.push({ name, dataType: OnnxDataType.FLOAT, dims: shape, raw: new Uint8Array(data.buffer) });
    this.constCache.set(key, name);
    return name;
  }

  /** Appends one node with a single output; returns the output's name. */
  op(opType: string, inputs: readonly Value[], attributes?: Record<string, AttributeValue>, outName?: string): Value {
    const out = outName ?? this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, inputs: inputs.map((v) => this.resolve(v)), outputs: [out], attributes });
    return out;
  }

  /** Appends one node with several outputs. */
  opMulti(opType: string, inputs: readonly Value[], outputCount: number, attributes?: Record<string, AttributeValue>): Value[] {
    const outs = Array.from({ length: outputCount }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push({ opType, inputs: inputs.map((v) => this.resolve(v)), outputs: outs, attributes });
    return outs;
  }

  /** Names of the declared outputs, in order. */
  outputNames(): string[] {
    return this.outputs.map((o) => o.name);
  }

  /** Serialises the model. */
  toBytes(): Uint8Array {
    return encodeModel({
      irVersion: IR_VERSION,
      opsetVersion: OPSET,
      producerName: 'tokenlab',
      graphName: this.name,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: this.inputs,
      outputs: this.outputs,
    });
  }
}
