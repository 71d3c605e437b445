/**
 * The face detector as `health` and `detector` report it: whether it can be used (and why not: no
 * face-detector.onnx in the models folder, or one that could not be loaded), and the file's sha256 and
 * source as face-detector.json gives them.
 */
import { Field, Int, ObjectType } from 'type-graphql';
import type { ServerState } from '../state.js';

@ObjectType({ description: "The face detector's state (classifyFaces needs it; classify does not)." })
export class DetectorHealth {
  @Field(() => Boolean, { description: 'True when classifyFaces can be answered.' })
  ready!: boolean;

  @Field(() => String, {
    description:
      'loading, ready, absent (no face-detector.json in the models folder) or failed (it could not be loaded).',
  })
  status!: string;

  @Field(() => String, { nullable: true, description: 'Why the detector cannot be used; null when it can.' })
  reason!: string | null;
}

@ObjectType({ description: "The face detector's file, from the models folder and face-detector.json." })
export class DetectorInfo {
  @Field(() => String, { description: 'File name in the models folder.' })
  file!: string;

  @Field(() => String, { description: 'sha256 of the file (checked against face-detector.json at start).' })
  sha256!: string;

  @Field(() => Int, { description: 'Size of the file, in bytes.' })
  bytes!: number;

  @Field(() => String, {
    description: 'Where its weights came from (package@version), per face-detector.json.',
  })
  source!: string;

  @Field(() => [String], {
    description: "The weights' and the converter's licences, per face-detector.json.",
  })
  licence!: string[];

  @Field(() => DetectorHealth, { description: 'Whether it can be used now, and why not.' })
  state!: DetectorHealth;
}

export function toDetectorHealth(state: ServerState): DetectorHealth {
  const { status, reason } = state.detector;
  return { ready: status === 'ready', status, reason: state.forClients(reason) ?? null };
}

/** Null when there is no detector file to describe. */
export function toDetectorInfo(state: ServerState): DetectorInfo | null {
  const file = state.detector.file;
  if (!file) return null;
  return {
    file: file.file,
    sha256: file.sha256,
    bytes: file.bytes,
    source: file.source,
    licence: [...file.licence],
    state: toDetectorHealth(state),
  };
}
