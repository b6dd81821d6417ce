import { EnvisionError, type Tensor, tensor } from '@envision/core';
import { GraphBuilder, linear, type Weights } from '@envision/import';
import { DataType, type ModelProto, makeTensorValueInfo } from '@envision/onnx-grad';

/** Options of {@link buildResNetVision}. */
export interface ResNetVisionOptions {
  /** Prefix of the torchvision ResNet keys. @default `vision_model.model.` */
  readonly prefix?: string;
  /** Side of the square input (fixed in the graph's input shape). @default 224 */
  readonly imageSize?: number;
  /** BatchNorm epsilon. @default 1e-5 (torchvision's) */
  readonly eps?: number;
}

/**
 * A convolution with the BatchNorm after it folded in (in float64, stored as float32):
 * `W' = W · γ/√(σ² + ε)`, `b' = β − μ · γ/√(σ² + ε)`.
 */
function convBn(g: GraphBuilder, w: Weights, x: string, conv: string, bn: string, stride: number, eps: number, name: string): { y: string; channels: number } {
  const weight = w.float(`${conv}.weight`, [undefined, undefined, undefined, undefined]);
  const [out, inPerGroup, kh, kw] = weight.shape as [number, number, number, number];
  const gamma = w.float(`${bn}.weight`, [out]);
  const beta = w.float(`${bn}.bias`, [out]);
  const mean = w.float(`${bn}.running_mean`, [out]);
  const variance = w.float(`${bn}.running_var`, [out]);
  w.ignore(`${bn}.num_batches_tracked`);
  if (w.has(`${conv}.bias`)) throw new EnvisionError('E_BUNDLE', `${w.source}: unexpected key '${conv}.bias' (torchvision's ResNet convolutions have no bias)`);
  const per = inPerGroup * kh * kw;
  const folded = new Float32Array(weight.data.length);
  const bias = new Float32Array(out);
  for (let c = 0; c < out; c++) {
    const s = gamma.data[c]! / Math.sqrt(variance.data[c]! + eps);
    for (let k = 0; k < per; k++) folded[c * per + k] = weight.data[c * per + k]! * s;
    bias[c] = beta.data[c]! - mean.data[c]! * s;
  }
  const y = g.op('Conv', [x, g.init(`${conv}.weight`, tensor('float32', weight.shape, folded)), g.init(`${conv}.bias`, tensor('float32', [out], bias))], name, {
    kernel_shape: [BigInt(kh), BigInt(kw)],
    strides: [BigInt(stride), BigInt(stride)],
    pads: [BigInt(kh >> 1), BigInt(kw >> 1), BigInt(kh >> 1), BigInt(kw >> 1)],
  });
  return { y, channels: out };
}

/** Groups of a grouped convolution: input channels / the weight's input channels per group. */
function groupsOf(w: Weights, key: string, inChannels: number): number {
  const t: Tensor<'float32'> = w.float(key, [undefined, undefined, undefined, undefined]);
  const groups = inChannels / t.shape[1]!;
  if (!Number.isInteger(groups)) throw new EnvisionError('E_BUNDLE', `${w.source}: '${key}' has ${t.shape[1]} input channels, which does not divide ${inChannels}`);
  return groups;
}

/**
 * Builds MedCLIP's ResNet vision encoder (`MedCLIPVisionModel`) as ONNX from a state dict: a torchvision ResNet with
 * bottleneck blocks (stem conv 7×7/2, BN, ReLU, max-pool 3×3/2; `layer1…layerN`, the first block of every layer
 * after the first with stride 2 on its 3×3 convolution and a `downsample` conv + BN where present), global average
 * pooling, and `fc` as the projection (MedCLIP's is `Linear(2048, 512, bias=False)`). BatchNorms are folded into
 * the convolutions. Block counts and widths are read from the keys, so reduced ResNets import too.
 * @param w - the weights (every key read is recorded)
 * @param options - key prefix, image size, epsilon
 * @returns the model: `pixel_values` float32 `[batch, C, size, size]` → `image_embeds` float32 `[batch, M]`
 * @throws EnvisionError `E_BUNDLE` naming the key when one is missing or misshapen
 */
export function buildResNetVision(w: Weights, options: ResNetVisionOptions = {}): ModelProto {
  const p = options.prefix ?? 'vision_model.model.';
  const size = options.imageSize ?? 224;
  const eps = options.eps ?? 1e-5;
  const g = new GraphBuilder();
  const input = 'pixel_values';
  const inChannels = w.float(`${p}conv1.weight`, [undefined, undefined, undefined, undefined]).shape[1]!;
  const stem = convBn(g, w, input, `${p}conv1`, `${p}bn1`, 2, eps, 'stem.conv');
  let x = g.op('MaxPool', [g.op('Relu', [stem.y], 'stem.relu')], 'stem.pool', { kernel_shape: [3n, 3n], strides: [2n, 2n], pads: [1n, 1n, 1n, 1n] });
  let channels = stem.channels;
  let stages = 0;
  while (w.count(`${p}layer${stages + 1}.`) > 0) stages++;
  if (stages === 0) throw new EnvisionError('E_BUNDLE', `${w.source}: missing key '${p}layer1.0.conv1.weight'`);
  for (let s = 1; s <= stages; s++) {
    const blocks = w.count(`${p}layer${s}.`);
    for (let b = 0; b < blocks; b++) {
      const k = `${p}layer${s}.${b}.`;
      const n = `layer${s}.${b}`;
      const stride = s > 1 && b === 0 ? 2 : 1;
      const c1 = convBn(g, w, x, `${k}conv1`, `${k}bn1`, 1, eps, `${n}.conv1`);
      const groups = groupsOf(w, `${k}conv2.weight`, c1.channels);
      if (groups !== 1) throw new EnvisionError('E_BUNDLE', `${w.source}: '${k}conv2.weight' is a grouped convolution (${groups} groups); only ResNet (not ResNeXt) is supported`);
      const c2 = convBn(g, w, g.op('Relu', [c1.y], `${n}.relu1`), `${k}conv2`, `${k}bn2`, stride, eps, `${n}.conv2`);
      const c3 = convBn(g, w, g.op('Relu', [c2.y], `${n}.relu2`), `${k}conv3`, `${k}bn3`, 1, eps, `${n}.conv3`);
      let identity = x;
      if (w.has(`${k}downsample.0.weight`)) {
        identity = convBn(g, w, x, `${k}downsample.0`, `${k}downsample.1`, stride, eps, `${n}.downsample`).y;
      } else if (stride !== 1 || c3.channels !== channels) {
        throw new EnvisionError('E_BUNDLE', `${w.source}: missing key '${k}downsample.0.weight' (block changes ${stride !== 1 ? 'resolution' : 'channels'})`);
      }
      x = g.op('Relu', [g.op('Add', [c3.y, identity], `${n}.residual`)], `${n}.out`);
      channels = c3.channels;
    }
  }
  const pooled = g.op('Flatten', [g.op('GlobalAveragePool', [x], 'pool')], 'pool.flat', { axis: 1n });
  const fc = w.float(`${p}fc.weight`, [undefined, channels]);
  const bias = w.has(`${p}fc.bias`) ? w.float(`${p}fc.bias`, [fc.shape[0]!]) : undefined;
  const projected = linear(g, pooled, fc, bias, 'fc');
  return g.model(
    'medclip_vision_resnet',
    [makeTensorValueInfo(input, DataType.FLOAT, ['batch', inChannels, size, size])],
    makeTensorValueInfo('image_embeds', DataType.FLOAT, ['batch', fc.shape[0]!]),
    projected,
  );
}
