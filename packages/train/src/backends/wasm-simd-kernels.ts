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
import { convFilterGrad } from './wasm-simd-conv-filter.js';
import { maxPoolGrad2x2, maxPoolGrad2x2Scalar } from './wasm-simd-pool.js';
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

type Kernel = (...args: number[]) => void;

export interface SimdKernels {
  sum_rows(src: number, rows: number, rowBytes: number, dst: number): void;
  add_bias(a: number, bias: number, out: number, bytes: number, rowBytes: number): void;
  mul_bias(a: number, bias: number, out: number, bytes: number, rowBytes: number): void;
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
      mul_bias: exports.mul_bias!,
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
