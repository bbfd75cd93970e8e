// The three passes of a 1-D convolution (forward, input/filter gradient) as FFT jobs, for both FFT routes.
import type * as tfNs from '@tensorflow/tfjs';
import { convInfo } from '../wasmKernels.js';
import { fftConvSupports, type FftConvGeometry, type FftConvJob, type FftConvKind } from './fftconv.js';

type Tf = typeof tfNs;
type TensorInfo = tfNs.TensorInfo;
type NamedAttrMap = tfNs.NamedAttrMap;
type Conv2DInfo = tfNs.backend_util.Conv2DInfo;
type Inputs = tfNs.NamedTensorInfoMap;

/**
 * One pass of a convolution as a tfjs kernel: its name, which FFT job computes it, its two operands (in the order
 * the FFT kernels and the oneDNN addon take them) and the geometry and output shape from the call. Shared by the
 * portable FFT route (./registerFftConvKernels.ts) and the native tier (../dnnl.ts).
 */
export interface ConvPass {
  kernelName: 'Conv2D' | 'Conv2DBackpropInput' | 'Conv2DBackpropFilter';
  kind: FftConvKind;
  operands(inputs: Inputs): [TensorInfo, TensorInfo];
  info(t: Tf, inputs: Inputs, attrs: NamedAttrMap): Conv2DInfo;
  outShape(c: Conv2DInfo): number[];
}

const input = (inputs: Inputs, name: string): TensorInfo => inputs[name] as TensorInfo;

/** Forward (x, filter), input gradient (dy, filter) and filter gradient (x, dy) of tfjs' Conv2D. */
export const CONV_PASSES: readonly ConvPass[] = [
  {
    kernelName: 'Conv2D',
    kind: 'forward',
    operands: (i) => [input(i, 'x'), input(i, 'filter')],
    info: (t, i, a) => convInfo(t, input(i, 'x').shape, input(i, 'filter').shape, a),
    outShape: (c) => c.outShape,
  },
  {
    kernelName: 'Conv2DBackpropInput',
    kind: 'inputGrad',
    operands: (i) => [input(i, 'dy'), input(i, 'filter')],
    info: (t, i, a) => convInfo(t, a.inputShape as number[], input(i, 'filter').shape, a),
    outShape: (c) => c.inShape,
  },
  {
    kernelName: 'Conv2DBackpropFilter',
    kind: 'filterGrad',
    operands: (i) => [input(i, 'x'), input(i, 'dy')],
    info: (t, i, a) => convInfo(t, input(i, 'x').shape, a.filterShape as number[], a),
    outShape: (c) => c.filterShape,
  },
];

/**
 * The FFT geometry of a 1-D convolution the FFT kernels handle (NHWC with height 1, stride 1, no dilation, channel
 * counts multiples of 4), or null.
 */
export function fftGeometryOf(c: Conv2DInfo): FftConvGeometry | null {
  if (
    c.dataFormat !== 'channelsLast' ||
    c.strideHeight !== 1 ||
    c.strideWidth !== 1 ||
    c.dilationHeight !== 1 ||
    c.dilationWidth !== 1 ||
    c.inHeight !== 1 ||
    c.filterHeight !== 1 ||
    c.outHeight !== 1 ||
    c.padInfo.top !== 0 ||
    c.padInfo.bottom !== 0
  )
    return null;
  const g: FftConvGeometry = {
    batch: c.batchSize,
    inSamples: c.inWidth,
    outSamples: c.outWidth,
    inChannels: c.inChannels,
    outChannels: c.outChannels,
    kernelSize: c.filterWidth,
    padLeft: c.padInfo.left,
  };
  return fftConvSupports(g) ? g : null;
}

/** Plans the FFT job of one pass: fftConvJob with a thread count, or an FftConvEngine's `job`. */
export type FftJobPlanner = (kind: FftConvKind, g: FftConvGeometry) => FftConvJob;

/**
 * The FFT job of pass `kind` of the convolution `c` when the FFT route takes it, else null: `c` has an FFT geometry
 * ({@link fftGeometryOf}) that `admits` accepts, and the direct convolution does at least `minRatio` times the FLOPs
 * of the planned job. Shared by the portable FFT route and the native tier, which differ in their planner, ratio and
 * extra conditions.
 */
export function fftJobFor(
  kind: FftConvKind,
  c: Conv2DInfo,
  minRatio: number,
  plan: FftJobPlanner,
  admits: (g: FftConvGeometry) => boolean = () => true,
): FftConvJob | null {
  const g = fftGeometryOf(c);
  if (!g || !admits(g)) return null;
  const job = plan(kind, g);
  return job.plan.directFlops >= minRatio * job.plan.fftFlops ? job : null;
}
