/**
 * The SIMD machine code behind our wasm training kernels, assembled at run time (wasm-asm.ts) into a
 * module that shares tfjs-backend-wasm's memory, so the kernels read and write tensors in place.
 * Every address is in bytes; channel counts handled by vectors must be multiples of 4 (the callers
 * check, and use their plain versions otherwise).
 *   sum_rows          out[c] = Σ_r src[r, c]                                  (bias gradients)
 *   max_pool_grad_2x2 dx from dy through 2×2, stride-2 max pooling, first maximum wins (and a
 *                     one-channel-at-a-time version for other channel counts)
 *   conv_dw_<k>       dW[i, j, c, o..o+4k) += Σ x[n, y·s+i−p, x·s+j−p, c] · dy[n, y, x, o..o+4k)
 * plus the element-wise ones of wasm-simd-elementwise.ts.
 */
import { Fn, assemble } from './wasm-asm.js';
import { ELEMENTWISE_FNS } from './wasm-simd-elementwise.js';

function sumRows(): Fn {
  const f = new Fn('sum_rows', ['src', 'rows', 'rowBytes', 'dst']).local('p', 'i32').local('q', 'i32');
  f.local('end', 'i32');
  f.loop('q', 0, 'rowBytes', 16, () => f.get('dst').get('q').op('i32.add').zero().mem('v128.store'));
  f.get('rows').get('rowBytes').op('i32.mul').get('src').op('i32.add').set('end');
  f.loop('p', 'src', 'end', 'rowBytes', () =>
    f.loop('q', 0, 'rowBytes', 16, () => {
      f.get('dst').get('q').op('i32.add');
      f.get('dst').get('q').op('i32.add').mem('v128.load');
      f.get('p').get('q').op('i32.add').mem('v128.load');
      f.op('f32x4.add').mem('v128.store');
    }),
  );
  return f;
}

/** x, dx: [n, h, w, c]; dy: [n, oh, ow, c]. pixel = c·4 bytes, row = w·pixel, image = h·row. */
function maxPoolGrad2x2(): Fn {
  const f = new Fn('max_pool_grad_2x2', ['x', 'dy', 'dx', 'n', 'oh', 'ow', 'pixel', 'row', 'image']);
  for (const l of ['b', 'oy', 'ox', 'v', 'xo', 'o', 'g']) f.local(l, 'i32');
  for (const l of ['a', 'bb', 'c', 'd', 'm', 'ea', 'eb', 'ec', 'ed', 't', 'gv']) f.local(l, 'v128');
  const load = (name: string, extra: string[]) => {
    f.get('x').get('o').op('i32.add');
    for (const e of extra) f.get(e).op('i32.add');
    f.mem('v128.load').set(name);
  };
  const store = (mask: string, extra: string[]) => {
    f.get('dx').get('o').op('i32.add');
    for (const e of extra) f.get(e).op('i32.add');
    f.get('gv').get(mask).op('v128.and').mem('v128.store');
  };
  const firstMax = (out: string, value: string, taken: string | null) => {
    f.get(value).get('m').op('f32x4.eq');
    if (taken) f.get(taken).op('v128.andnot');
    f.set(out);
  };
  f.let('g', 'dy');
  f.loop('b', 0, 'n', 1, () =>
    f.loop('oy', 0, 'oh', 1, () => {
      f.get('b')
        .get('image')
        .op('i32.mul')
        .get('oy')
        .get('row')
        .op('i32.mul')
        .i32(2)
        .op('i32.mul', 'i32.add');
      f.set('xo');
      f.loop('ox', 0, 'ow', 1, () =>
        f.loop('v', 0, 'pixel', 16, () => {
          f.get('xo')
            .get('ox')
            .get('pixel')
            .op('i32.mul')
            .i32(2)
            .op('i32.mul', 'i32.add')
            .get('v')
            .op('i32.add');
          f.set('o');
          load('a', []);
          load('bb', ['pixel']);
          load('c', ['row']);
          load('d', ['row', 'pixel']);
          f.get('a').get('bb').op('f32x4.max').get('c').get('d').op('f32x4.max', 'f32x4.max').set('m');
          f.get('g').mem('v128.load').set('gv');
          firstMax('ea', 'a', null);
          firstMax('eb', 'bb', 'ea');
          f.get('ea').get('eb').op('v128.or').set('t');
          firstMax('ec', 'c', 't');
          f.get('t').get('ec').op('v128.or').set('t');
          firstMax('ed', 'd', 't');
          store('ea', []);
          store('eb', ['pixel']);
          store('ec', ['row']);
          store('ed', ['row', 'pixel']);
          f.let('g', 'g', 16);
        }),
      );
    }),
  );
  return f;
}

/** The same rule one channel at a time, for channel counts that are not multiples of 4. */
function maxPoolGrad2x2Scalar(): Fn {
  const f = new Fn('max_pool_grad_2x2_scalar', ['x', 'dy', 'dx', 'n', 'oh', 'ow', 'pixel', 'row', 'image']);
  for (const l of ['b', 'oy', 'ox', 'v', 'xo', 'o', 'g', 'ea', 'eb', 'ec', 'ed']) f.local(l, 'i32');
  for (const l of ['a', 'bb', 'c', 'd', 'm', 'gv']) f.local(l, 'f32');
  const at = (base: string, extra: string[]) => {
    f.get(base).get('o').op('i32.add');
    for (const e of extra) f.get(e).op('i32.add');
  };
  const spots: [string, string, string[]][] = [
    ['a', 'ea', []],
    ['bb', 'eb', ['pixel']],
    ['c', 'ec', ['row']],
    ['d', 'ed', ['row', 'pixel']],
  ];
  f.let('g', 'dy');
  f.loop('b', 0, 'n', 1, () =>
    f.loop('oy', 0, 'oh', 1, () => {
      f.get('b')
        .get('image')
        .op('i32.mul')
        .get('oy')
        .get('row')
        .op('i32.mul')
        .i32(2)
        .op('i32.mul', 'i32.add');
      f.set('xo');
      f.loop('ox', 0, 'ow', 1, () =>
        f.loop('v', 0, 'pixel', 4, () => {
          f.get('xo')
            .get('ox')
            .get('pixel')
            .op('i32.mul')
            .i32(2)
            .op('i32.mul', 'i32.add')
            .get('v')
            .op('i32.add');
          f.set('o');
          for (const [value, , extra] of spots) {
            at('x', extra);
            f.mem('f32.load').set(value);
          }
          f.get('a').get('bb').op('f32.max').get('c').get('d').op('f32.max', 'f32.max').set('m');
          f.get('g').mem('f32.load').set('gv');
          // Each spot wins if it equals the maximum and no spot before it did.
          f.get('a').get('m').op('f32.eq').set('ea');
          f.get('bb').get('m').op('f32.eq').get('ea').op('i32.eqz', 'i32.and').set('eb');
          f.get('c').get('m').op('f32.eq').get('ea').get('eb').op('i32.or', 'i32.eqz', 'i32.and').set('ec');
          f.get('ea').get('eb').op('i32.or').get('ec').op('i32.or', 'i32.eqz').set('ed');
          for (const [, mask, extra] of spots) {
            at('dx', extra);
            f.get('gv').f32zero().get(mask).op('select').mem('f32.store');
          }
          f.let('g', 'g', 4);
        }),
      );
    }),
  );
  return f;
}

const CONV_DW_PARAMS = [
  'x',
  'dy',
  'dw',
  'n',
  'h',
  'w',
  'ci',
  'oh',
  'ow',
  'co',
  'fh',
  'fw',
  'sh',
  'sw',
  'pt',
  'pl',
  'co0',
];

/** The filter gradient for `k` vectors (4k output channels) starting at channel co0. */
function convFilterGrad(k: number): Fn {
  const f = new Fn(`conv_dw_${k}`, CONV_DW_PARAMS);
  for (const l of [
    'b',
    'oy',
    'kh',
    'kw',
    'c',
    'iy',
    'ox0',
    'ox1',
    'acc',
    'xp',
    'gp',
    'gend',
    'xrow',
    'grow',
    'xstep',
    'gstep',
  ]) {
    f.local(l, 'i32');
  }
  for (let v = 0; v < k; v++) f.local(`s${v}`, 'v128');
  f.local('xv', 'v128');
  f.get('w').get('ci').op('i32.mul').i32(4).op('i32.mul').set('xrow');
  f.get('ow').get('co').op('i32.mul').i32(4).op('i32.mul').set('grow');
  f.get('sw').get('ci').op('i32.mul').i32(4).op('i32.mul').set('xstep');
  f.get('co').i32(4).op('i32.mul').set('gstep');
  f.loop('b', 0, 'n', 1, () =>
    f.loop('oy', 0, 'oh', 1, () =>
      f.loop('kh', 0, 'fh', 1, () => {
        f.get('oy').get('sh').op('i32.mul').get('kh').op('i32.add').get('pt').op('i32.sub').set('iy');
        f.get('iy').i32(0).op('i32.lt_s').get('iy').get('h').op('i32.ge_s').op('i32.or', 'i32.eqz');
        f.when(() =>
          f.loop('kw', 0, 'fw', 1, () => {
            // Output columns whose input column ox·sw − pl + kw lies inside the image.
            const inputCol = (ox: () => void) => {
              ox();
              f.get('sw').op('i32.mul').get('kw').op('i32.add').get('pl').op('i32.sub');
            };
            f.let('ox0', 0);
            f.while(
              () => (inputCol(() => f.get('ox0')), f.i32(0).op('i32.lt_s')),
              () => f.let('ox0', 'ox0', 1),
            );
            f.let('ox1', 'ow');
            f.while(
              () => {
                f.get('ox1').get('ox0').op('i32.gt_s');
                inputCol(() => f.get('ox1').i32(1).op('i32.sub'));
                f.get('w').op('i32.ge_s');
                f.op('i32.and');
              },
              () => f.let('ox1', 'ox1', -1),
            );
            f.loop('c', 0, 'ci', 1, () => {
              // acc = dw + (((kh·fw + kw)·ci + c)·co + co0)·4
              f.get('kh').get('fw').op('i32.mul').get('kw').op('i32.add').get('ci').op('i32.mul').get('c');
              f.op('i32.add').get('co').op('i32.mul').get('co0').op('i32.add').i32(4).op('i32.mul');
              f.get('dw').op('i32.add').set('acc');
              for (let v = 0; v < k; v++)
                f.get('acc')
                  .mem('v128.load', 16 * v)
                  .set(`s${v}`);
              // xp = x + ((b·h + iy)·w + ox0·sw − pl + kw)·ci·4 + c·4
              f.get('b').get('h').op('i32.mul').get('iy').op('i32.add').get('xrow').op('i32.mul');
              inputCol(() => f.get('ox0'));
              f.get('ci').op('i32.mul').get('c').op('i32.add').i32(4).op('i32.mul', 'i32.add');
              f.get('x').op('i32.add').set('xp');
              // gp = dy + (b·oh + oy)·grow + (ox0·co + co0)·4
              f.get('b').get('oh').op('i32.mul').get('oy').op('i32.add').get('grow').op('i32.mul');
              f.get('ox0').get('co').op('i32.mul').get('co0').op('i32.add').i32(4).op('i32.mul', 'i32.add');
              f.get('dy').op('i32.add').set('gp');
              f.get('ox1').get('ox0').op('i32.sub').get('co').op('i32.mul').i32(4).op('i32.mul');
              f.get('gp').op('i32.add').set('gend');
              f.while(
                () => f.get('gp').get('gend').op('i32.lt_s'),
                () => {
                  f.get('xp').mem('v128.load32_splat').set('xv');
                  for (let v = 0; v < k; v++) {
                    f.get(`s${v}`)
                      .get('xv')
                      .get('gp')
                      .mem('v128.load', 16 * v)
                      .op('f32x4.mul', 'f32x4.add');
                    f.set(`s${v}`);
                  }
                  f.let('xp', 'xp', 'xstep');
                  f.let('gp', 'gp', 'gstep');
                },
              );
              for (let v = 0; v < k; v++)
                f.get('acc')
                  .get(`s${v}`)
                  .mem('v128.store', 16 * v);
            });
          }),
        );
      }),
    ),
  );
  return f;
}

type Kernel = (...args: number[]) => void;

export interface SimdKernels {
  sum_rows(src: number, rows: number, rowBytes: number, dst: number): void;
  add_bias(a: number, bias: number, out: number, bytes: number, rowBytes: number): void;
  add_same: Kernel;
  mul_same: Kernel;
  max_pool_grad_2x2(...args: number[]): void;
  max_pool_grad_2x2_scalar(...args: number[]): void;
  /** conv_dw[k − 1] handles 4k output channels at a time, k = 1..4. */
  conv_dw: ((...args: number[]) => void)[];
}

const cache = new WeakMap<WebAssembly.Memory, SimdKernels>();

/** The kernels, compiled once per memory (i.e. once per wasm backend instance). */
export function simdKernels(memory: WebAssembly.Memory): SimdKernels {
  let kernels = cache.get(memory);
  if (!kernels) {
    const fns = [sumRows(), maxPoolGrad2x2(), maxPoolGrad2x2Scalar(), ...[1, 2, 3, 4].map(convFilterGrad)];
    fns.push(...ELEMENTWISE_FNS);
    const exports = assemble(memory, fns);
    kernels = {
      sum_rows: exports.sum_rows!,
      add_bias: exports.add_bias!,
      add_same: exports.add_same!,
      mul_same: exports.mul_same!,
      max_pool_grad_2x2: exports.max_pool_grad_2x2!,
      max_pool_grad_2x2_scalar: exports.max_pool_grad_2x2_scalar!,
      conv_dw: [1, 2, 3, 4].map((k) => exports[`conv_dw_${k}`]!),
    };
    cache.set(memory, kernels);
  }
  return kernels;
}
