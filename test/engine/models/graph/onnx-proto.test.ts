// Decoded protobuf messages are untyped plain objects; `any` keeps the field assertions readable.
/* eslint-disable @typescript-eslint/no-explicit-any */
import * as ort from 'onnxruntime-node';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../../src/engine/models/graph/graph-builder';
import { encodeModel, OnnxDataType } from '../../../../src/engine/models/graph/onnx-proto';

// An independent decoder: the same field numbers, written from onnx/onnx.proto.
const schema = protobuf.parse(`
syntax = "proto3";
message AttributeProto { string name = 1; float f = 2; int64 i = 3; bytes s = 4; TensorProto t = 5; repeated float floats = 7; repeated int64 ints = 8; int32 type = 20; }
message NodeProto { repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4; repeated AttributeProto attribute = 5; }
message TensorProto { repeated int64 dims = 1; int32 data_type = 2; string name = 8; bytes raw_data = 9; }
message Dim { int64 dim_value = 1; string dim_param = 2; }
message Shape { repeated Dim dim = 1; }
message TensorType { int32 elem_type = 1; Shape shape = 2; }
message TypeProto { TensorType tensor_type = 1; }
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message GraphProto { repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message ModelProto { int64 ir_version = 1; string producer_name = 2; GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; }
`).root.lookupType('ModelProto');

describe('ONNX protobuf encoder', () => {
  it('writes fields an independent protobuf decoder reads back, incl. negative ints and floats', () => {
    const weights = Float32Array.from([1.5, -2, 3.25]);
    const bytes = encodeModel({
      irVersion: 8, opsetVersion: 18, producerName: 'tokenlab', graphName: 'g',
      nodes: [{ opType: 'Custom', inputs: ['x', 'w'], outputs: ['y'], attributes: { axis: -1, eps: { float: 1e-5 }, perm: [1, 0, -2], mode: 'abc' } }],
      initializers: [{ name: 'w', dataType: OnnxDataType.FLOAT, dims: [3], raw: new Uint8Array(weights.buffer) }],
      inputs: [{ name: 'x', dataType: OnnxDataType.FLOAT, dims: ['T', 3] }],
      outputs: [{ name: 'y', dataType: OnnxDataType.FLOAT, dims: [] }],
    });
    const m = schema.toObject(schema.decode(bytes), { longs: Number, bytes: Array }) as any;
    expect(m.irVersion).toBe(8);
    expect(m.opsetImport[0].version).toBe(18);
    expect(m.opsetImport[0].domain ?? '').toBe('');
    const attrs = Object.fromEntries(m.graph.node[0].attribute.map((a: any) => [a.name, a]));
    expect(attrs.axis.i).toBe(-1);
    expect(attrs.axis.type).toBe(2);
    expect(attrs.eps.f).toBeCloseTo(1e-5, 10);
    expect(attrs.perm.ints).toEqual([1, 0, -2]);
    expect(Buffer.from(attrs.mode.s).toString()).toBe('abc');
    expect(new Float32Array(Uint8Array.from(m.graph.initializer[0].rawData).buffer)).toEqual(weights);
    expect(m.graph.input[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'T' }, { dimValue: 3 }]);
  });

  it('refuses a non-integer bare number attribute instead of truncating it', () => {
    expect(() => encodeModel({ irVersion: 8, opsetVersion: 18, producerName: 'p', graphName: 'g', nodes: [{ opType: 'X', inputs: [], outputs: ['y'], attributes: { alpha: 0.5 } }], initializers: [], inputs: [], outputs: [] })).toThrow(/alpha.*float/);
  });

  it('produces a model onnxruntime runs (dynamic length, int64 constants, a large initializer)', async () => {
    const g = new GraphBuilder('t');
    const x = g.input('x', OnnxDataType.FLOAT, ['N', 4]);
    const w = g.weight('w', Float32Array.from({ length: 4 * 300 }, (_, i) => i % 7), [4, 300]);
    const y = g.op('ReduceSum', [g.op('MatMul', [x, w]), g.int64([-1])], { keepdims: 0 });
    g.output(y, 'y', OnnxDataType.FLOAT, ['N']);
    const s = await ort.InferenceSession.create(g.toBytes());
    const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0]), [2, 4]) });
    let row0 = 0;
    let row1 = 0;
    for (let j = 0; j < 300; j++) {
      row0 += j % 7;
      row1 += (300 + j) % 7;
    }
    expect(Array.from(out.y!.data as Float32Array)).toEqual([row0, row1]);
  });
});
