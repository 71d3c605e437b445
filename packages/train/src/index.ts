/**
 * @facekit/train — CSV → dataset → split → tfjs CNNs → a run folder. The exporter reads run folders
 * through this API; benchmarks and tests build networks from the presets.
 */
export { runTraining, type TrainingOptions, type TrainingOutcome } from './run.js';
export { compileNetwork } from './train-network.js';
export { meanCrossEntropy } from './evaluate.js';
export {
  loadCsv,
  MAX_AGE,
  skippedReasons,
  type LoadCsvOptions,
  type LoadedCsv,
  type SkippedRows,
} from './data/load-csv.js';
export { DatasetBuilder, facePixels, type FaceDataset } from './data/dataset.js';
export { findDuplicates, type DuplicateGroups } from './data/duplicates.js';
export { checkSplitRows, splitDataset, splitFromJson, type DataSplit } from './data/split.js';
export { taskTargets } from './data/batches.js';
export { seededRandom } from './data/random.js';
export { getPreset, isAblation, PRESETS, DEFAULT_PRESET, type Preset, type FitSettings } from './presets.js';
export { loadLayersModel, saveLayersModel } from './model-io.js';
export { MirrorImage } from './mirror-layer.js';
export * from './run-folder.js';
export {
  selectTrainingBackend,
  listTrainingBackends,
  createBatchTrainer,
  TRAINING_BACKEND_NAMES,
} from './backends/index.js';
export * from './report/index.js';
