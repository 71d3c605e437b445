/**
 * The convolution filter gradient as SIMD code (assembled by wasm-simd-kernels.ts):
 *   dW[i, j, c, o..o+4k) += Σ_{n,y,x} x[n, y·sh+i−pt, x·sw+j−pl, c] · dy[n, y, x, o..o+4k)
 * for k = 1..4 vectors of output channels. For each image row of dy and each filter tap and input
 * channel, the k accumulators are loaded once, a whole row of dy is swept (it stays in L1), and they
 * are stored back; output columns whose input column falls in the padding are skipped up front, so the
 * inner loop has no bounds checks.
 */
import { Fn } from './wasm-asm.js';

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
export function convFilterGrad(k: number): Fn {
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
