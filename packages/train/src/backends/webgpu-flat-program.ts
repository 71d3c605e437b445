/**
 * What our tfjs-webgpu programs share: one invocation per output element, 64 to a workgroup, laid
 * out flat (tfjs's `main(index)` with a bounds check against `uniforms.size`). The dispatch helpers
 * come from tfjs-backend-webgpu at registration: importing the backend before `navigator.gpu` exists
 * would leave it unregistered, so no module here imports it at load time.
 */
import type { WebGPUProgram, webgpu_util } from '@tensorflow/tfjs-backend-webgpu';

export type DispatchUtil = Pick<typeof webgpu_util, 'flatDispatchLayout' | 'computeDispatch'>;

export abstract class FlatProgram implements WebGPUProgram {
  abstract readonly variableNames: string[];
  abstract readonly uniforms: string;
  abstract readonly shaderKey: string;
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly size = true;
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];

  constructor(
    util: DispatchUtil,
    readonly outputShape: number[],
  ) {
    this.dispatchLayout = util.flatDispatchLayout(outputShape);
    this.dispatch = util.computeDispatch(this.dispatchLayout, outputShape, this.workgroupSize);
  }

  abstract getUserCode(): string;
}
