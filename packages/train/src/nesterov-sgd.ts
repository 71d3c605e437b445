/**
 * SGD with Nesterov momentum and L2 weight decay on the kernels — the usual recipe for CNNs with batch
 * norm, as PyTorch's `SGD(momentum=0.9, nesterov=True, weight_decay=…)` applies it: before the momentum
 * step, each conv and dense kernel's gradient gains `weightDecay × kernel` (biases and batch norm's gamma
 * and beta are not decayed). Registered for serialisation, so a checkpoint resumes with it.
 */
import * as tf from '@tensorflow/tfjs';
import { KERNEL } from './adamw.js';

export class NesterovSgd extends tf.MomentumOptimizer {
  static override get className(): string {
    return 'NesterovSgd';
  }

  constructor(
    learningRate: number,
    readonly weightDecay: number,
    readonly momentumFactor = 0.9,
  ) {
    super(learningRate, momentumFactor, true);
    if (!(weightDecay >= 0)) throw new RangeError(`weight decay must be ≥ 0, got ${weightDecay}`);
  }

  override applyGradients(variableGradients: Parameters<tf.MomentumOptimizer['applyGradients']>[0]): void {
    const given = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const variables = tf.engine().registeredVariables;
    const decayed = given.map(({ name, tensor }) => {
      const variable = variables[name];
      const decay = this.weightDecay > 0 && variable && KERNEL.test(name);
      return {
        name,
        tensor: decay ? tf.tidy(() => tensor.add(variable.mul(this.weightDecay))) : tensor,
        decay,
      };
    });
    super.applyGradients(decayed.map(({ name, tensor }) => ({ name, tensor })));
    tf.dispose(decayed.filter((g) => g.decay).map((g) => g.tensor));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, weightDecay: this.weightDecay, momentum: this.momentumFactor };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const c = config as { learningRate: number; weightDecay: number; momentum: number };
    return new (cls as unknown as typeof NesterovSgd)(
      c.learningRate,
      c.weightDecay,
      c.momentum,
    ) as unknown as T;
  }
}

tf.serialization.registerClass(NesterovSgd);
