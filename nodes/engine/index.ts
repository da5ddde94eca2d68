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
export {
	decideCrossing,
	initialCrossingMemory,
	type CrossingDecision,
	type CrossingMemory,
	type CrossingOptions,
	type CrossingReason,
} from './crossing';
export {
	ALL_TIME_RETENTION_DAYS,
	applyEvent,
	canForgetAccount,
	createAccountState,
	hasActivity,
	RETENTION_MARGIN_DAYS,
	STATE_FORMAT,
	stateFeatures,
	stateRetentionMs,
	stateSummary,
	type AccountState,
} from './state/accountState';
export type { MeasureState } from './state/measures';
export type { AccountTraits, PersonState } from './state/people';
export { KEPT_ACTIVE_DAYS, MAX_EVENT_NAMES, MAX_KEPT_PEOPLE, MIN_KEPT_MATCHES, MIN_KEPT_USERS } from './state/statePlan';
export { DEDUPE_TTL_MS, type AccountMutation, type AccountUpdate, type StateStore } from './state/store';
export { MAX_REMEMBERED_EVENTS, MAX_REMEMBERED_USERS, MemoryStateStore, SNAPSHOT_FORMAT, type MemoryStoreOptions } from './state/memoryStore';
export {
	parseRedisUrl,
	RedisClient,
	RedisConnectionError,
	RedisReplyError,
	type RedisConnectionOptions,
	type RedisReply,
} from './state/redisClient';
export { RedisStateStore, type RedisStoreOptions, type RedisStoreStats } from './state/redisStore';
