/**
 * Loads an exported model in onnxruntime-web (its wasm backend, running in Node) and runs it on a few
 * inputs: the browser demo and the parity suite use that runtime, so an export that ort-web cannot
 * load is caught here, with its figures, rather than in a browser.
 */
import * as ortWeb from 'onnxruntime-web';
import { compareOutputs, type Comparison } from './compare.js';

export interface WebCheck extends Comparison {
  readonly runtime: string;
  /** Milliseconds to create the session. */
  readonly loadMs: number;
}

let configured = false;

/**
 * Runs `bytes` in onnxruntime-web (wasm, one thread) on `inputs`, once; compares each output
 * `outputNames[k]` with `references[k]`.
 */
export async function checkInOrtWeb(
  bytes: Uint8Array,
  outputNames: readonly string[],
  inputs: Float32Array,
  shape: readonly number[],
  references: readonly Float32Array[],
): Promise<WebCheck[]> {
  if (!configured) {
    ortWeb.env.wasm.numThreads = 1;
    ortWeb.env.logLevel = 'error';
    configured = true;
  }
  const started = performance.now();
  const session = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const loadMs = performance.now() - started;
  try {
    const feed = new ortWeb.Tensor('float32', inputs, [...shape]);
    const result = await session.run({ [session.inputNames[0]!]: feed });
    return outputNames.map((name, k) => ({
      ...compareOutputs(
        references[k]!,
        result[name]!.data as Float32Array,
        references[k]!.length / shape[0]!,
      ),
      runtime: `onnxruntime-web ${ortWeb.env.versions.web ?? ''} wasm (Node)`.trim(),
      loadMs,
    }));
  } finally {
    await session.release();
  }
}
