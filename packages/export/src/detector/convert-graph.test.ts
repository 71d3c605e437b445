import { describe, expect, it } from 'vitest';
import { UnsupportedLayerError } from '@facekit/core';
import { attr, convertTestGraph, graphParity, type TestGraph } from './test-graphs.js';

const NHWC = { data_format: attr.s('NHWC') };
const ones = [1, 1, 1, 1];

const fusedConv = (name: string, input: string, k: string, b: string, opts: Record<string, unknown>) => ({
  name,
  op: '_FusedConv2D',
  input: [input, k, b],
  attr: {
    ...NHWC,
    T: { type: 'DT_FLOAT' },
    strides: attr.ints((opts.strides as number[]) ?? ones),
    dilations: attr.ints((opts.dilations as number[]) ?? ones),
    padding: attr.s((opts.padding as string) ?? 'SAME'),
    fused_ops: attr.strings((opts.fused as string[]) ?? ['BiasAdd']),
    num_args: attr.i(1),
  },
});

const conv = (
  input: number[],
  kernel: [number, number],
  out: number,
  opts: Record<string, unknown> = {},
): TestGraph => ({
  input,
  consts: [
    { name: 'k', shape: [...kernel, input[3]!, out] },
    { name: 'b', shape: [out] },
  ],
  nodes: [fusedConv('y', 'x', 'k', 'b', opts)],
  output: 'y',
});

const depthwise = (
  input: number[],
  kernel: [number, number],
  strides: number[],
  padding: string,
): TestGraph => ({
  input,
  consts: [{ name: 'k', shape: [...kernel, input[3]!, 1] }],
  nodes: [
    {
      name: 'y',
      op: 'DepthwiseConv2dNative',
      input: ['x', 'k'],
      attr: { ...NHWC, strides: attr.ints(strides), dilations: attr.ints(ones), padding: attr.s(padding) },
    },
  ],
  output: 'y',
});

const cases: [string, TestGraph][] = [
  [
    '_FusedConv2D BiasAdd+Relu, SAME stride 2 on an odd size',
    conv([1, 7, 9, 3], [3, 3], 4, { strides: [1, 2, 2, 1], fused: ['BiasAdd', 'Relu'] }),
  ],
  [
    '_FusedConv2D BiasAdd, SAME 5×5 stride 2 on an even size (pad 1 before, 2 after)',
    conv([1, 8, 8, 2], [5, 5], 3, { strides: [1, 2, 2, 1] }),
  ],
  ['_FusedConv2D BiasAdd, VALID 1×1', conv([1, 5, 5, 6], [1, 1], 4, { padding: 'VALID' })],
  ['_FusedConv2D BiasAdd, SAME dilated', conv([1, 9, 9, 2], [3, 3], 2, { dilations: [1, 2, 2, 1] })],
  ['DepthwiseConv2dNative SAME 5×5 stride 2', depthwise([1, 8, 10, 3], [5, 5], [1, 2, 2, 1], 'SAME')],
  ['DepthwiseConv2dNative VALID 3×3', depthwise([1, 6, 6, 4], [3, 3], ones, 'VALID')],
  [
    'MaxPool 2×2 stride 2 SAME on an odd size',
    {
      input: [1, 7, 5, 3],
      consts: [],
      nodes: [
        {
          name: 'y',
          op: 'MaxPool',
          input: ['x'],
          attr: {
            ...NHWC,
            ksize: attr.ints([1, 2, 2, 1]),
            strides: attr.ints([1, 2, 2, 1]),
            padding: attr.s('SAME'),
          },
        },
      ],
      output: 'y',
    },
  ],
  [
    'Pad on the channel axis (residual widening) then AddV2 and Relu',
    {
      input: [1, 4, 4, 3],
      consts: [
        { name: 'p', shape: [4, 2], int32: [0, 0, 0, 0, 0, 0, 0, 5] },
        { name: 'k', shape: [1, 1, 3, 8] },
        { name: 'b', shape: [8] },
      ],
      nodes: [
        { name: 'padded', op: 'Pad', input: ['x', 'p'] },
        fusedConv('branch', 'x', 'k', 'b', { padding: 'VALID' }),
        { name: 'sum', op: 'AddV2', input: ['branch', 'padded'] },
        { name: 'y', op: 'Relu', input: ['sum'] },
      ],
      output: 'y',
    },
  ],
  [
    'Pad on height and width, unevenly',
    {
      input: [1, 3, 4, 2],
      consts: [{ name: 'p', shape: [4, 2], int32: [0, 0, 1, 2, 0, 3, 0, 0] }],
      nodes: [{ name: 'y', op: 'Pad', input: ['x', 'p'] }],
      output: 'y',
    },
  ],
  [
    'Reshape flattens in NHWC order (through Identity)',
    {
      input: [1, 3, 4, 6],
      consts: [{ name: 's', shape: [3], int32: [1, -1, 3] }],
      nodes: [
        { name: 'r', op: 'Reshape', input: ['x', 's'] },
        { name: 'y', op: 'Identity', input: ['r'] },
      ],
      output: 'y',
    },
  ],
];

describe('tfjs graph ops → ONNX, each against tfjs', () => {
  it.each(cases)('%s', async (_name, graph) => {
    const { diff } = await graphParity(graph);
    expect(diff).toBeLessThan(1e-5);
  });
});

describe('refusals', () => {
  const withNode = (node: TestGraph['nodes'][number]): TestGraph => ({
    input: [1, 4, 4, 2],
    consts: [],
    nodes: [node],
    output: node.name,
  });

  it('refuses an op it does not convert, naming the node and the op', () => {
    const graph = withNode({ name: 'head/act', op: 'Sigmoid', input: ['x'] });
    expect(() => convertTestGraph(graph)).toThrow(UnsupportedLayerError);
    expect(() => convertTestGraph(graph)).toThrow(
      /"head\/act" \(Sigmoid\): op Sigmoid is not supported; supported: .*_FusedConv2D/,
    );
  });

  it('refuses a fusion it would have to approximate', () => {
    const graph = conv([1, 4, 4, 2], [1, 1], 2, { fused: ['BiasAdd', 'Relu6'] });
    expect(() => convertTestGraph(graph)).toThrow(/"y" \(_FusedConv2D\): fused_ops \[BiasAdd, Relu6\]/);
  });

  it('refuses NCHW data and explicit padding', () => {
    const nchw = depthwise([1, 4, 4, 2], [3, 3], ones, 'SAME');
    const node = { ...nchw.nodes[0]!, attr: { ...nchw.nodes[0]!.attr, data_format: attr.s('NCHW') } };
    expect(() => convertTestGraph({ ...nchw, nodes: [node] })).toThrow(/data_format NCHW/);
    expect(() => convertTestGraph(depthwise([1, 4, 4, 2], [3, 3], ones, 'EXPLICIT'))).toThrow(
      /padding "EXPLICIT"/,
    );
  });
});
