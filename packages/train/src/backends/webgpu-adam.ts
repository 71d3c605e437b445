/**
 * Adam (and AdamW) in three GPU dispatches per weight instead of fifteen.
 *
 * tfjs's Adam updates each weight with about fourteen element-wise ops (and AdamW's decay adds one),
 * each a separate kernel. On the CPU that costs little, but on webgpu every kernel is a dispatch that
 * costs this thread 45–80 µs to record whatever its size (`bench/kernel-profile.ts --backend webgpu`),
 * and the default preset's larger network has 24 weights: 340 of its 1,206 kernels a step were the
 * optimizer's. Here one kernel, `FacekitAdamStep`, computes the new weight, first and second moment
 * from the old ones and the gradient — three small programs, one per output, since a tfjs-webgpu
 * program writes one buffer — with the same arithmetic and the same moment variables (so checkpoints
 * save and resume exactly as before). `fuseAdamSteps` switches an Adam or AdamW optimizer to it while
 * webgpu is the active backend; on any other backend the optimizer's own step runs.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { AdamW } from '../adamw.js';
import { FlatProgram, type DispatchUtil } from './webgpu-flat-program.js';

export const ADAM_STEP = 'FacekitAdamStep';

const OUTPUTS = ['value', 'm', 'v'] as const;
type Output = (typeof OUTPUTS)[number];
const INPUTS: Record<Output, string[]> = { value: ['value', 'm', 'v', 'g'], m: ['m', 'g'], v: ['v', 'g'] };

/** One of the step's three results, element by element. */
class AdamStepProgram extends FlatProgram {
  /** Only what the output reads: WebGPU's automatic layout drops an unused binding. */
  readonly variableNames: string[];
  readonly uniforms =
    'beta1 : f32, oneMinusBeta1 : f32, beta2 : f32, oneMinusBeta2 : f32, c1 : f32, c2 : f32, lr : f32, epsilon : f32, keep : f32,';
  readonly shaderKey: string;

  constructor(
    util: DispatchUtil,
    size: number,
    private readonly output: Output,
  ) {
    super(util, [size]);
    this.shaderKey = `facekitAdamStep_${output}`;
    this.variableNames = INPUTS[output];
  }

  getUserCode(): string {
    // As tfjs's Adam: m' = β1·m + (1−β1)·g; v' = β2·v + (1−β2)·g²;
    // w' = (w − lr · (m'/c1) / (√(v'/c2) + ε)) · keep, with c = 1 − β^t and keep AdamW's decay.
    const mNew = 'let mNew = m[index] * uniforms.beta1 + grad * uniforms.oneMinusBeta1;';
    const vNew = 'let vNew = v[index] * uniforms.beta2 + (grad * grad) * uniforms.oneMinusBeta2;';
    const body = {
      m: `${mNew} setOutputAtIndex(index, mNew);`,
      v: `${vNew} setOutputAtIndex(index, vNew);`,
      value: `${mNew} ${vNew}
        let step = (mNew / uniforms.c1) / (sqrt(vNew / uniforms.c2) + uniforms.epsilon);
        setOutputAtIndex(index, (value[index] - uniforms.lr * step) * uniforms.keep);`,
    }[this.output];
    return `
    fn main(index : i32) {
      if (index >= uniforms.size) { return; }
      let grad = g[index];
      ${body}
    }
  `;
  }
}

interface AdamStepAttrs {
  beta1: number;
  beta2: number;
  /** 1 − β1^t and 1 − β2^t for this step's t. */
  c1: number;
  c2: number;
  learningRate: number;
  epsilon: number;
  /** AdamW's 1 − lr·decay for a decayed weight, else 1. */
  keep: number;
}

const adamStepKernel =
  (util: DispatchUtil): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const tensors = inputs as Record<'value' | 'm' | 'v' | 'g', TensorInfo>;
    const { value } = tensors;
    const a = attrs as unknown as AdamStepAttrs;
    const uniforms = [
      a.beta1,
      1 - a.beta1,
      a.beta2,
      1 - a.beta2,
      a.c1,
      a.c2,
      a.learningRate,
      a.epsilon,
      a.keep,
    ].map((x) => ({ type: 'float32', data: [x] }));
    const size = tf.util.sizeFromShape(value.shape);
    return OUTPUTS.map((output) => {
      const out = (backend as WebGPUBackend).runWebGPUProgram(
        new AdamStepProgram(util, size, output),
        INPUTS[output].map((name) => tensors[name as keyof typeof tensors]),
        'float32',
        uniforms,
      );
      return { ...out, shape: value.shape };
    });
  };

/** FacekitAdamStep on webgpu, for `installKernels`. */
export const adamStepConfig = (util: DispatchUtil): KernelConfig => ({
  kernelName: ADAM_STEP,
  backendName: 'webgpu',
  kernelFunc: adamStepKernel(util),
});

/** The fields of tfjs's AdamOptimizer the fused step reads and writes (protected there). */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  iterations: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  incrementIterations(): void;
}

type Gradients = Parameters<tf.Optimizer['applyGradients']>[0];

const fused = new WeakSet<tf.Optimizer>();

/**
 * Makes an Adam or AdamW optimizer take its steps with FacekitAdamStep whenever the active backend
 * has that kernel (once per optimizer). Returns whether the optimizer is one it can fuse.
 */
export function fuseAdamSteps(optimizer: tf.Optimizer): boolean {
  const kind = optimizer.getClassName();
  if (kind !== 'Adam' && kind !== 'AdamW') return false;
  if (fused.has(optimizer)) return true;
  fused.add(optimizer);
  const adam = optimizer as unknown as AdamInternals;
  const unfused = optimizer.applyGradients.bind(optimizer);
  // By name: tfjs optimizers answer `instanceof` by duck typing.
  const keepFactor = kind === 'AdamW' ? (name: string) => (optimizer as AdamW).keepFactor(name) : () => 1;
  optimizer.applyGradients = (gradients: Gradients) => {
    if (!tf.getKernel(ADAM_STEP, tf.getBackend())) return unfused(gradients);
    const list = Array.isArray(gradients)
      ? gradients
      : Object.entries(gradients).map(([name, tensor]) => ({ name, tensor }));
    const t = adam.iterations + 1;
    const common = {
      beta1: adam.beta1,
      beta2: adam.beta2,
      c1: 1 - adam.beta1 ** t,
      c2: 1 - adam.beta2 ** t,
      learningRate: adam.learningRate,
      epsilon: adam.epsilon,
    };
    tf.tidy(() => {
      list.forEach(({ name, tensor }, i) => {
        const value = tf.engine().registeredVariables[name]!;
        const moment = (suffix: string) => ({
          originalName: `${name}/${suffix}`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        });
        adam.accumulatedFirstMoment[i] ??= moment('m');
        adam.accumulatedSecondMoment[i] ??= moment('v');
        if (tensor == null) return;
        const m = adam.accumulatedFirstMoment[i].variable;
        const v = adam.accumulatedSecondMoment[i].variable;
        const [newValue, newM, newV] = tf.engine().runKernel(ADAM_STEP, { value, m, v, g: tensor }, {
          ...common,
          keep: keepFactor(name),
        } as never) as tf.Tensor[];
        m.assign(newM!);
        v.assign(newV!);
        value.assign(newValue!);
      });
      // Kept as tfjs keeps them, for a later unfused step or a save.
      adam.accBeta1.assign(tf.mul(adam.accBeta1, adam.beta1));
      adam.accBeta2.assign(tf.mul(adam.accBeta2, adam.beta2));
    });
    adam.incrementIterations();
  };
  return true;
}
