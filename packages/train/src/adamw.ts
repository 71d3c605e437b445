/**
 * Adam with decoupled weight decay (AdamW, Loshchilov & Hutter): after each Adam step, every kernel
 * (conv and dense weights; not biases, not batch norm's gamma and beta) shrinks by a factor
 * 1 − learningRate × weightDecay. Unlike an L2 term in the loss, the decay does not pass through
 * Adam's per-weight scaling, so it regularises every weight alike; and because it is applied where
 * gradients are applied, every training path (tfjs's trainOnBatch, the shard step, the data-parallel
 * trainer) decays the same way. Registered for serialisation, so a checkpoint resumes with it.
 */
import * as tf from '@tensorflow/tfjs';

/** tfjs names a layer's weight matrix `<layer>/kernel` (a suffix `_n` when the name was taken). */
export const KERNEL = /\/kernel(_\d+)?$/;

export class AdamW extends tf.AdamOptimizer {
  static override get className(): string {
    return 'AdamW';
  }

  constructor(
    learningRate: number,
    readonly weightDecay: number,
    beta1 = 0.9,
    beta2 = 0.999,
    epsilon?: number,
  ) {
    super(learningRate, beta1, beta2, epsilon);
    if (!(weightDecay >= 0)) throw new RangeError(`weight decay must be ≥ 0, got ${weightDecay}`);
  }

  /**
   * The factor this step's decay multiplies the variable `name` by: 1 − rate × decay for conv and dense
   * kernels, 1 for everything else. The one rule, for this class's step and the fused webgpu step.
   */
  keepFactor(name: string): number {
    return KERNEL.test(name) ? 1 - this.learningRate * this.weightDecay : 1;
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    super.applyGradients(variableGradients);
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((g) => g.name)
      : Object.keys(variableGradients);
    const variables = tf.engine().registeredVariables;
    tf.tidy(() => {
      for (const name of names) {
        const variable = variables[name];
        const keep = this.keepFactor(name);
        if (variable && keep !== 1) variable.assign(variable.mul(keep));
      }
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), weightDecay: this.weightDecay };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const c = config as {
      learningRate: number;
      weightDecay: number;
      beta1: number;
      beta2: number;
      epsilon: number;
    };
    return new (cls as unknown as typeof AdamW)(
      c.learningRate,
      c.weightDecay,
      c.beta1,
      c.beta2,
      c.epsilon,
    ) as unknown as T;
  }
}

tf.serialization.registerClass(AdamW);
