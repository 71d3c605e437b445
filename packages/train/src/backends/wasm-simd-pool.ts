/**
 * The max-pooling gradient as wasm code (assembled by wasm-simd-kernels.ts): for 2×2 windows at
 * stride 2, each window's dy goes to its first maximum, scanned row by row (the cpu backend's rule),
 * through branch-free masks — four channels per f32x4 vector, or one at a time when the channel
 * count is not a multiple of 4. Addresses are bytes: pixel = c·4, row = w·pixel, image = h·row.
 */
import { Fn } from './wasm-asm.js';

/** x, dx: [n, h, w, c]; dy: [n, oh, ow, c]. pixel = c·4 bytes, row = w·pixel, image = h·row. */
export function maxPoolGrad2x2(): Fn {
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
  forEachWindow(f, 16, () => {
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
  });
  return f;
}

/** The same rule one channel at a time, for channel counts that are not multiples of 4. */
export function maxPoolGrad2x2Scalar(): Fn {
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
  forEachWindow(f, 4, () => {
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
  });
  return f;
}

/**
 * The loops both kernels share: over every image, output row and output column, and `step` bytes of
 * channels at a time, `o` is set to the byte offset of the 2×2 window's top-left spot in x and dx and
 * `g` points at its dy; `body` handles that window, then `g` moves on by `step`.
 */
function forEachWindow(f: Fn, step: number, body: () => void): void {
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
        f.loop('v', 0, 'pixel', step, () => {
          f.get('xo')
            .get('ox')
            .get('pixel')
            .op('i32.mul')
            .i32(2)
            .op('i32.mul', 'i32.add')
            .get('v')
            .op('i32.add');
          f.set('o');
          body();
          f.let('g', 'g', step);
        }),
      );
    }),
  );
}
