/**
 * Fitting an ensemble preset: each member network trained in turn by trainNetwork (member k with seed
 * + k, its own checkpoint, so an interrupted run resumes inside the member it stopped in), then the
 * members joined into one network that averages their logits (ensemble.ts). The result looks like one
 * network's to the run: per-task views of the joined network, the first member's curves.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Task } from '@facekit/core';
import { combineMembers } from './ensemble.js';
import { historyRate, type EnsembleMember } from './report/task-section.js';
import { getPreset, type MemberSpec } from './presets.js';
import { memberCheckpointDir } from './run-folder.js';
import {
  headModel,
  trainNetwork,
  type TrainNetworkOptions,
  type TrainNetworkResult,
} from './train-network.js';

export interface TrainEnsembleResult extends TrainNetworkResult {
  /** Per task, what each member kept (for the report). */
  readonly members: ReadonlyMap<Task, EnsembleMember[]>;
}

export interface TrainEnsembleOptions extends Omit<TrainNetworkOptions, 'preset' | 'checkpointDir'> {
  readonly members: readonly MemberSpec[];
  readonly runDir: string;
  /** The joined network's name (the ensemble preset's). */
  readonly name: string;
}

export async function trainEnsemble(options: TrainEnsembleOptions): Promise<TrainEnsembleResult> {
  const { members, log } = options;
  const trained: TrainNetworkResult[] = [];
  const summary = new Map<Task, EnsembleMember[]>();
  const release = () => trained.forEach((m) => m.model.dispose());
  for (const [k, { preset: name, mirrored }] of members.entries()) {
    log?.(`ensemble member ${k + 1} of ${members.length}: ${name}, seed ${options.seed + k}`);
    const member = await trainNetwork({
      ...options,
      preset: getPreset(name),
      seed: options.seed + k,
      checkpointDir: memberCheckpointDir(options.runDir, k),
    });
    trained.push(member);
    if (member.interrupted) {
      release();
      return { ...member, members: summary };
    }
    const val = member.heads.map((h) => {
      const kept = h.history.find((r) => r.epoch === member.bestEpoch);
      const figure: EnsembleMember = {
        preset: name,
        seed: options.seed + k,
        keptEpoch: member.bestEpoch,
        ...(kept?.valAccuracy === undefined ? {} : { valAccuracy: kept.valAccuracy }),
        samplesPerSecond: historyRate(h.history),
        ...(mirrored ? { mirrored } : {}),
        history: h.history,
      };
      summary.set(h.task, [...(summary.get(h.task) ?? []), figure]);
      return `${h.task} ${kept?.valAccuracy === undefined ? '—' : `${(kept.valAccuracy * 100).toFixed(1)}%`}`;
    });
    log?.(`member ${k + 1} (${name}): kept epoch ${member.bestEpoch}; validation ${val.join(', ')}`);
  }
  const tasks = options.heads.map((h) => h.task);
  const model: tf.LayersModel = combineMembers(
    trained.map((m, k) => ({ model: m.model, mirrored: members[k]!.mirrored ?? false })),
    tasks,
    options.name.replace(/-/g, '_'),
  );
  const first = trained[0]!;
  release();
  return {
    model,
    heads: first.heads.map((h, i) => ({ ...h, model: headModel(model, i, h.task) })),
    bestEpoch: first.bestEpoch,
    interrupted: false,
    members: summary,
  };
}
