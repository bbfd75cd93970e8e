export { buildStrNetwork, buildEncoder, strForward, strHeadCount } from './strNetwork.js';
export type { StrNetworkArgs, StrForwardArgs } from './strNetwork.js';
export { summarizeStrNetwork } from './summary.js';
export type { LayerSummary } from './summary.js';
export { buildEmotionHead, buildEmotionNetwork, emotionForward, emotionLayout } from './emotion.js';
export type {
  EmotionHeadArgs,
  EmotionNetworkArgs,
  EmotionDenseLayer,
  EmotionForwardArgs,
  EmotionLayout,
} from './emotion.js';
export { glorotUniformValues, initializeWeights } from './init.js';
