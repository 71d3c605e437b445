/**
 * Element-wise SIMD kernels for the passes a training step makes over whole activations (see
 * wasm-simd-kernels.ts for how they are assembled and called). tfjs-backend-wasm's own versions are
 * general — any broadcast, any dtype — and several times slower on the two cases training hits most:
 * adding a per-channel bias to an NHWC tensor, and combining two tensors of the same shape. Sizes are
 * in bytes and multiples of 16 (whole f32x4 vectors).
 *   add_bias(a, bias, out, bytes, rowBytes)   out[r, c] = a[r, c] + bias[c]
 *   mul_bias(a, bias, out, bytes, rowBytes)   out[r, c] = a[r, c] · bias[c]   (batch norm's scale)
 *   add_same / mul_same(a, b, out, bytes)     out[i] = a[i] ± b[i]
 */
import { Fn, type Op } from './wasm-asm.js';

function perChannel(name: string, op: Op): Fn {
  const f = new Fn(name, ['a', 'bias', 'out', 'bytes', 'rowBytes']).local('p', 'i32').local('q', 'i32');
  f.loop('p', 0, 'bytes', 'rowBytes', () =>
    f.loop('q', 0, 'rowBytes', 16, () => {
      f.get('out').get('p').op('i32.add').get('q').op('i32.add');
      f.get('a').get('p').op('i32.add').get('q').op('i32.add').mem('v128.load');
      f.get('bias').get('q').op('i32.add').mem('v128.load');
      f.op(op).mem('v128.store');
    }),
  );
  return f;
}

function same(name: string, op: Op): Fn {
  const f = new Fn(name, ['a', 'b', 'out', 'bytes']).local('p', 'i32');
  f.loop('p', 0, 'bytes', 16, () => {
    f.get('out').get('p').op('i32.add');
    f.get('a').get('p').op('i32.add').mem('v128.load');
    f.get('b').get('p').op('i32.add').mem('v128.load');
    f.op(op).mem('v128.store');
  });
  return f;
}

export const ELEMENTWISE_FNS: readonly Fn[] = [
  perChannel('add_bias', 'f32x4.add'),
  perChannel('mul_bias', 'f32x4.mul'),
  same('add_same', 'f32x4.add'),
  same('mul_same', 'f32x4.mul'),
];
