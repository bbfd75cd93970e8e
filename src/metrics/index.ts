/** Evaluation metrics (METHOD §6). */
export { scoreClassification, type ClassificationScores } from './scoreClassification.js';
