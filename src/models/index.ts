// The networks of ecgssl (STR network, encoder, emotion head and network) and their one forward pass.
export { buildStrNetwork, buildEncoder, embeddingUnits, strLogits, strHeadCount } from './strNetwork.js';
export type { GlobalPool, StrNetworkArgs } from './strNetwork.js';
export { forward } from './forward.js';
export type { DropoutPoint, ForwardArgs, ForwardTraining } from './forward.js';
export { dropoutPoints } from './dropoutPoints.js';
export { predictRows, PREDICT_PASS_ROWS } from './predictRows.js';
export { summarizeStrNetwork } from './summary.js';
export type { LayerSummary } from './summary.js';
export { buildEmotionHead, buildEmotionNetwork } from './emotion.js';
export type { EmotionHeadArgs, EmotionNetworkArgs } from './emotion.js';
export { glorotUniformValues, initializeWeights } from './init.js';
