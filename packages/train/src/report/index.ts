/**
 * Evaluation and reporting for a training run: test metrics per task (accuracy, macro-F1, per-class
 * scores, confusion, demographic slices, calibration), the SVG figures, and the run folder's
 * `<task>/*.json|svg` files and `report.md`. The training loop calls `computeTaskMetrics`, then
 * `writeTaskArtifacts` per task and `writeRunReport` for the run; the exporter reads the types.
 */
export * from './metrics-types.js';
export * from './calibration.js';
export * from './group-accuracy.js';
export * from './task-metrics.js';
export { curvesSvg } from './curves-svg.js';
export { confusionSvg } from './confusion-svg.js';
export { calibrationSvg } from './calibration-svg.js';
export * from './task-artifacts.js';
export * from './task-section.js';
export * from './run-report.js';
export { pathArg, shellWord, shownPath, trainCommand } from './train-command.js';
export { mdTable } from './markdown.js';
