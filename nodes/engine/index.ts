/** The PQL engine: pure TypeScript, no n8n. Nodes import from here. */
export * from './events';
export * from './time';
export { EventAggregator, type AggregateOptions, type AggregateStats, type ScoringLevel } from './aggregate';
export { companyDomain, type AccountSource, type IdentityOptions } from './identity';
export { compileModel, ruleKey, type CompiledModel, type CompiledRule } from './rules/compile';
export { PRESETS, WORKED_EXAMPLE_MODEL, WORKED_EXAMPLE_RULES, type PresetName } from './rules/presets';
export * from './rules/schema';
export { parseTierList, formatTierList } from './rules/tiers';
export { RuleValidationError, validateModel, type RuleIssue } from './rules/validate';
export { RowFormatError, scoreAccountRow, type RowOptions } from './rows';
export { byScore, evaluateRule, scoreSubject, tierFor, type ScoreResult, type SubjectFeatures } from './score';
export {
	decideCrossing,
	initialCrossingMemory,
	type CrossingDecision,
	type CrossingMemory,
	type CrossingOptions,
	type CrossingReason,
} from './crossing';
export { accountOfUser, namedAccount } from './identity';
export { learnTraits, traitValues, type TraitMap } from './traits';
export { applyEvent, type ApplySettings, type Refusal } from './state/apply';
export type { Activity } from './state/activity';
export { MapDocView, type AccountDoc, type DocView, type UserDoc } from './state/docs';
export { accountSubject, scoreOf, subjectFeatures, subjectSummary, verdictOf, type Subject } from './state/features';
export { nextChangeAt } from './state/nextChange';
export { stateRetentionMs, RETENTION_MARGIN_DAYS, ALL_TIME_RETENTION_DAYS } from './state/retention';
export type { MeasureState } from './state/measures';
export { KEPT_ACTIVE_DAYS, MAX_EVENT_NAMES, MAX_KEPT_PEOPLE, MIN_KEPT_MATCHES, MIN_KEPT_USERS } from './state/statePlan';
export { DEDUPE_TTL_MS, NotLoadedError, type OutboxEntry, type Prefetch, type StateStore, type StoreTransaction } from './state/store';
export { DEFAULT_MAX_ACCOUNTS, MAX_REMEMBERED_EVENTS, MemoryStateStore, SNAPSHOT_FORMAT, type MemoryStoreOptions } from './state/memoryStore';
export { eventKey, ingestEvents, recheckAccounts, rescore, type StreamOutcome, type StreamSettings } from './stream';
