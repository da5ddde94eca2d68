/** PQL calibration: backtest a model on history, learn points and a threshold from the accounts that converted. */
export { calibrate, checkCalibrateOptions, DEFAULT_CALIBRATE_OPTIONS, MIN_HOLDOUT_PER_CLASS, MIN_TRAINING_PER_CLASS, split, type BacktestMode, type CalibrateInput, type CalibrateOptions, type CalibrationReport, type RuleReport } from './calibrate';
export { backtest, engineScoresEachAccountAsOfItsOwnTime, eventsForAccounts, type Backtest, type BacktestAccount, type SubjectAsOf } from './backtest';
export { fitLogistic, type LogisticFit } from './logistic';
export { auc, bestThreshold, conversionByDecile, median, modelMetrics, spearman, type ModelMetrics, type ThresholdGoal } from './metrics';
export { accountKey, CalibrationError, DEFAULT_OUTCOME_FIELDS, readOutcomes, type Outcome, type OutcomeFields } from './outcomes';
export { liftChartSvg, markdownReport } from './report';
export { pointsFromWeights, suggestedModel, suggestedTiers } from './suggest';
