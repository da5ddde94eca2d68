/** The PQL engine: pure TypeScript, no n8n. Nodes import from here. */
export * from './events';
export * from './time';
export { EventAggregator, type AggregateOptions, type AggregateStats, type ScoringLevel } from './aggregate';
export { companyDomain, IdentityDirectory, type AccountSource, type IdentityOptions } from './identity';
export { compileModel, ruleKey, type CompiledModel, type CompiledRule } from './rules/compile';
export { PRESETS, WORKED_EXAMPLE_MODEL, WORKED_EXAMPLE_RULES, type PresetName } from './rules/presets';
export * from './rules/schema';
export { parseTierList, formatTierList } from './rules/tiers';
export { RuleValidationError, validateModel, type RuleIssue } from './rules/validate';
export { RowFormatError, scoreAccountRow, type RowOptions } from './rows';
export { byScore, evaluateRule, scoreSubject, tierFor, type ScoreResult, type SubjectFeatures } from './score';
