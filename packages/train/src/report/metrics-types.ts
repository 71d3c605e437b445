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
  /** The age-group labels `byEthnicityGenderAge` uses, in order (the grouping in force). */
  readonly ageGroupLabels?: readonly string[];
  /** Expected calibration error of the top-class confidence (equal-width bins, see `reliability`). */
  readonly expectedCalibrationError?: number;
  /** Number of equal-width confidence bins behind `expectedCalibrationError` and `reliability`. */
  readonly calibrationBins?: number;
  /** Reliability-diagram data: one entry per non-empty confidence bin, in bin order. */
  readonly reliability?: readonly ReliabilityBin[];
  /**
   * Temperature T fitted on the validation part and folded into the model's head (softmax(z / T)):
   * every figure above is of the tempered model. Absent: not tempered.
   */
  readonly temperature?: number;
  /** Test ECE of the same model before tempering (T = 1), to show what temperature scaling did. */
  readonly untemperedCalibrationError?: number;
  /**
   * The same (kept, joined, tempered) model on the validation part: the figures runs are compared
   * and chosen on; the test figures above are for the record. Absent: no validation part.
   */
  readonly validation?: ValidationFigures;
  /** Labels no face of the training part carried: the model never learnt them. Absent: none. */
  readonly untrainedLabels?: readonly string[];
}

export interface ValidationFigures {
  readonly samples: number;
  readonly accuracy: number;
  /** Mean cross-entropy against the true labels. */
  readonly loss: number;
}

/** Samples whose top-class confidence fell in [lower, upper) (the last bin includes 1). */
export interface ReliabilityBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean top-class probability of the bin's samples. */
  readonly confidence: number;
  /** Share of the bin's samples whose top class was the true one. */
  readonly accuracy: number;
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
