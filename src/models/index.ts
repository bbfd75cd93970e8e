export { buildStrNetwork, buildEncoder, strForward, STR_TASK_COUNT } from './strNetwork.js';
export type { StrNetworkArgs, StrForwardArgs } from './strNetwork.js';
export { summarizeStrNetwork } from './summary.js';
export type { LayerSummary } from './summary.js';
export { buildEmotionHead, buildEmotionNetwork } from './emotion.js';
export type { EmotionHeadArgs, EmotionNetworkArgs } from './emotion.js';
export { glorotUniformValues, initializeWeights } from './init.js';
