/**
 * `MirrorImage`: the face flipped left to right (NHWC width axis reversed), as a layer so an ensemble
 * can average a member's answer on the face and on its mirror inside one network (ensemble.ts). The
 * layer has no weights; it is registered with tfjs's serialization on import, so a saved network that
 * holds it loads wherever model-io.ts is used, and the exporter turns it into an ONNX Gather of the
 * columns in reverse order (export's convert/registry.ts).
 */
import * as tf from '@tensorflow/tfjs';

export class MirrorImage extends tf.layers.Layer {
  static readonly className = 'MirrorImage';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (x.rank !== 4) throw new Error(`${this.name} expects NHWC images, got rank ${x.rank}`);
    return tf.reverse(x, 2);
  }
}

tf.serialization.registerClass(MirrorImage);
