/**
 * An ensemble as one network: member networks that were trained apart (each with its own seed, on the
 * same tasks) copied side by side behind one input, and for each task the members' logits averaged
 * before one softmax. A member may also vote on the mirrored face (test-time flip averaging): its
 * copied layers are applied a second time, to a MirrorImage of the input, so the mirror costs compute
 * but no weights. Averaging logits rather than probabilities keeps a single Dense-logits-softmax
 * path per member, so a temperature still folds into the heads (temperature.ts) and the exporter sees
 * only layers it converts (Average becomes ONNX Mean). Each copied layer gets its member's prefix, so
 * members built in different processes (a resumed run) cannot clash by name.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '@facekit/core';
import { MirrorImage } from './mirror-layer.js';

type Symbolic = tf.SymbolicTensor;

/** A trained member, and whether it also answers for the mirrored face. */
export interface MemberNetwork {
  readonly model: tf.LayersModel;
  readonly mirrored?: boolean;
}

/**
 * Re-creates `member`'s layers (fresh layers, the member's weights), with each head — the Dense layer
 * of an output — made linear, and applies them to each of `inputs`. Returns, per input, the head
 * logits in output order.
 */
function copyMember(member: tf.LayersModel, prefix: string, inputs: readonly Symbolic[]): Symbolic[][] {
  const heads = new Set(member.outputs.map((o) => o.sourceLayer));
  const copies = inputs.map((input) => new Map<number, Symbolic>([[member.inputs[0]!.id, input]]));
  for (const layer of member.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    if (layer.inboundNodes.length !== 1)
      throw new Error(`${member.name}: layer ${layer.name} is applied more than once`);
    const node = layer.inboundNodes[0]!;
    const config: tf.serialization.ConfigDict = { ...layer.getConfig(), name: `${prefix}${layer.name}` };
    delete config.batchInputShape;
    delete config.inputShape;
    if (heads.has(layer)) {
      if (layer.getClassName() !== 'Dense' || config.activation !== 'softmax')
        throw new Error(`${member.name}: output layer ${layer.name} must be a Dense softmax head`);
      config.activation = 'linear';
    }
    // The way tfjs itself rebuilds a layer from JSON: the registered class's fromConfig.
    const registered = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()];
    if (!registered) throw new Error(`${member.name}: layer class ${layer.getClassName()} is not registered`);
    const [cls, fromConfig] = registered;
    const copy = fromConfig(cls, config) as tf.layers.Layer;
    for (const copied of copies) {
      const from = node.inputTensors.map((t) => {
        const mapped = copied.get(t.id);
        if (!mapped) throw new Error(`${member.name}: layer ${layer.name} reads a tensor not yet copied`);
        return mapped;
      });
      copied.set(node.outputTensors[0]!.id, copy.apply(from.length === 1 ? from[0]! : from) as Symbolic);
    }
    copy.setWeights(layer.getWeights());
  }
  return copies.map((copied) => member.outputs.map((o) => copied.get(o.id)!));
}

/**
 * One network answering like the average of `members` (same outputs, in the same order): output `h`
 * is softmax(mean of the members' head-`h` logits), named `names[h]`; a mirrored member adds its
 * logits on the mirrored face as one more voter.
 */
export function combineMembers(
  members: readonly MemberNetwork[],
  names: readonly string[],
  name: string,
): tf.LayersModel {
  if (members.length === 0) throw new Error('an ensemble needs at least one member');
  if (members.some((m) => m.model.outputs.length !== names.length))
    throw new Error(`every member must have ${names.length} outputs (${names.join(', ')})`);
  const input = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image' });
  const mirror = members.some((m) => m.mirrored)
    ? (new MirrorImage({ name: 'mirrored_image' }).apply(input) as Symbolic)
    : undefined;
  const logits = members.flatMap(({ model, mirrored }, k) =>
    copyMember(model, `m${k + 1}_`, mirrored ? [input, mirror!] : [input]),
  );
  const outputs = names.map((head, h) => {
    const each = logits.map((l) => l[h]!);
    const mean =
      each.length === 1 ? each[0]! : (tf.layers.average({ name: `${head}_logits` }).apply(each) as Symbolic);
    return tf.layers.activation({ activation: 'softmax', name: head }).apply(mean) as Symbolic;
  });
  return tf.model({ inputs: input, outputs, name });
}
