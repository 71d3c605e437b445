/**
 * @facekit/export — tfjs Layers models → ONNX (opset 17), verified against tfjs, written to models/.
 * The programmatic API: `exportLayersModel` (model → ONNX bytes), `verifyExport` (tfjs vs
 * onnxruntime-node and onnxruntime-web), `exportRun` (a run folder → models/, what the CLI calls),
 * the manifest and model-card builders, and `evaluateModels` (exported models on a labelled CSV or a
 * folder of photos labelled by their names, what `pnpm evaluate` calls), and the face detector's
 * conversion from a tfjs graph model (`exportDetector`, `verifyDetector`, what `pnpm export:detector`
 * calls). Loading models/ back is @facekit/core/node's (`loadModels`), errors are @facekit/core's.
 */
export { exportLayersModel, type ExportOptions, type OnnxExport } from './export-model.js';
export { OPSET, IR_VERSION } from './onnx/proto.js';
export { SUPPORTED_LAYERS } from './convert/registry.js';
export { ACTIVATIONS } from './convert/activation.js';
export {
  verifyExport,
  VerificationError,
  DEFAULT_TOLERANCE,
  type VerifyOptions,
  type VerificationReport,
} from './verify/verify.js';
export { compareOutputs, type Comparison } from './verify/compare.js';
export type { WebCheck } from './verify/ort-web.js';
export { faceInputs, syntheticInputs } from './verify/inputs.js';
export { exportRun, type ExportRunOptions, type ExportRunResult, type TaskExport } from './export-run.js';
export { manifestEntry, buildManifest, type EntryInput } from './write/manifest.js';
export { modelCard, type ModelCardInput } from './write/model-card.js';
export { copyDirAtomic } from './write/atomic.js';
export {
  evaluateModels,
  type Evaluation,
  type EvaluationOptions,
  type FaceAnswers,
  type FaceSource,
} from './evaluate/evaluate-models.js';
export { answersCsv } from './evaluate/answers-csv.js';
export { evaluationReport } from './evaluate/evaluation-report.js';
export {
  exportDetector,
  DETECTOR_INPUT,
  DETECTOR_OUTPUTS,
  type DetectorExport,
  type HeadOutputs,
} from './detector/export-detector.js';
export {
  verifyDetector,
  loadDetectorGraph,
  tfjsDetect,
  DETECTOR_TOLERANCE,
  largestAbsDiff,
  type DetectorVerification,
} from './detector/verify-detector.js';
export { readDetectorSource, type DetectorSource } from './detector/source.js';
export { SUPPORTED_OPS } from './detector/convert-graph.js';
