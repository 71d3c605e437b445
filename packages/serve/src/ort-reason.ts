/**
 * onnxruntime's error messages, cut to what a person can act on: they start with a source path and an
 * assertion. Its own module so the detector's worker can use it without loading the classifiers'
 * provider machinery.
 */
export function ortReason(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  const afterAssert = text.split(' was false. ').at(-1)!;
  return afterAssert
    .replace(/^.*\[ONNXRuntimeError\] : \d+ : \w+ : /, '')
    .replace(/^\/onnxruntime_src\/\S+ /, '')
    .trim();
}
