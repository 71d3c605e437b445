/**
 * The shape of a task's test metrics, as written to `<task>/metrics.json` and read by the exporter
 * (manifest, model card) and the report.
 */
import type { Task } from '@facekit/core';

export interface ClassMetrics {
  readonly label: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

/** Accuracy on one demographic slice of the test set. Omitted keys mean "any". */
export interface GroupAccuracy {
  readonly ethnicity?: string;
  readonly gender?: string;
  readonly ageGroup?: string;
  readonly count: number;
  readonly accuracy: number;
}

export interface TaskMetrics {
  readonly task: Task;
  readonly labels: readonly string[];
  readonly samples: number;
  readonly accuracy: number;
  readonly macroF1: number;
  readonly loss: number;
  readonly perClass: readonly ClassMetrics[];
  /** confusion[true][predicted] counts. */
  readonly confusion: readonly (readonly number[])[];
  /** Accuracy per ethnicity × gender. */
  readonly byEthnicityGender: readonly GroupAccuracy[];
  /** Accuracy per ethnicity × gender × age group. */
  readonly byEthnicityGenderAge: readonly GroupAccuracy[];
}

export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}
