/**
 * Which ONNX files the page fetches and opens: the manifest's entries grouped by the file they name.
 * A shared network — one file holding a trunk and a head per task — is then fetched, hash-checked and
 * opened once and run once per face, and each task reads its own output (`entry.output.name`, never an
 * assumed name). Kept apart from the onnxruntime-web code so it is tested in Node.
 */
import { groupByFile, manifestTasks, type Manifest, type ManifestModel, type Task } from '@facekit/core';

export interface ManifestFile {
  /** Relative to the manifest's folder. */
  readonly file: string;
  readonly sha256: string;
  /** The entries of the tasks this file answers, in the canonical task order. */
  readonly entries: readonly ManifestModel[];
}

/** The manifest's files, in the order they first appear in the canonical task order. */
export function manifestFiles(manifest: Manifest): ManifestFile[] {
  const entries = manifestTasks(manifest).map((task) => manifest.models[task]!);
  return groupByFile(entries, (e) => e.file).map((group) => ({
    file: group[0]!.file,
    sha256: group[0]!.sha256,
    entries: group,
  }));
}

/** Throws, naming the file and the output, unless a session with `outputNames` has every task's output. */
export function checkOutputNames(file: ManifestFile, outputNames: readonly string[]): void {
  const missing = file.entries.filter((e) => !outputNames.includes(e.output.name));
  if (missing.length > 0)
    throw new Error(
      `${file.file}: the graph has outputs [${outputNames.join(', ')}], not ${missing.map((e) => `"${e.output.name}" (${e.task})`).join(', ')}`,
    );
}

/** Each task's output from one run of its file, by the name its entry gives; a missing one is named. */
export function taskOutputs<T>(file: ManifestFile, outputs: Readonly<Record<string, T>>): Map<Task, T> {
  const byTask = new Map<Task, T>();
  for (const entry of file.entries) {
    const output = outputs[entry.output.name];
    if (output === undefined)
      throw new Error(
        `${file.file}: no output "${entry.output.name}" for ${entry.task} (outputs: ${Object.keys(outputs).join(', ')})`,
      );
    byTask.set(entry.task, output);
  }
  return byTask;
}
