/**
 * The rule model, shared by every node: the PQL Score node scores batches with it, the
 * threshold trigger scores streams of events against stored state, calibration scores history.
 * It is plain JSON so that rules can be pasted, versioned and diffed ("config as code").
 */
export const RULE_CATEGORIES = ['usage', 'fit', 'intent', 'negative'] as const;
export type RuleCategory = (typeof RULE_CATEGORIES)[number];

export const RULE_TYPES = [
	'eventCount',
	'everDid',
	'activeDays',
	'distinctUsers',
	'inactiveDays',
	'daysSinceSignup',
	'trait',
] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/** Rule types measured from events (they take `event`, `filters`, `windowDays`, decay). */
export const EVENT_RULE_TYPES: readonly RuleType[] = ['eventCount', 'everDid', 'activeDays', 'distinctUsers'];

export const OPERATORS = [
	'equals',
	'notEquals',
	'oneOf',
	'gte',
	'lte',
	'between',
	'contains',
	'exists',
	'notExists',
	'emailDomainIn',
] as const;
export type Operator = (typeof OPERATORS)[number];

export interface PropertyFilter {
	property: string;
	operator: Operator;
	value?: unknown;
}

export interface DecayConfig {
	/** halfLife: points halve every `days`; linear: points fall to zero over `days`. */
	mode: 'halfLife' | 'linear';
	days: number;
}

export interface RuleConfig {
	name: string;
	category: RuleCategory;
	type: RuleType;
	/** Points when the rule matches; rules in the `negative` category subtract them. */
	points: number;
	/** Event rules: event name(s) to count; empty or `*` = any product event (track or page view). */
	event?: string | string[];
	/** Event rules: every filter must hold on the event's properties. */
	filters?: PropertyFilter[];
	/** Event rules: only events in the last N days (as of the scoring time) count; omitted = all time. */
	windowDays?: number;
	/** Numeric rules: the measured value must be at least this (default 1 for event rules). */
	atLeast?: number;
	/** Numeric rules: the measured value must be at most this. */
	atMost?: number;
	/** `match`: `points` once when matched (default). `unit`: `points` per counted unit, up to `cap`. */
	pointsPer?: 'match' | 'unit';
	/** Most points this rule can contribute. */
	cap?: number;
	decay?: DecayConfig;
	/** trait rules: whose trait (`account` traits, or any `user` of the account). */
	scope?: 'account' | 'user';
	/** trait rules: trait name (dots reach into nested objects). daysSinceSignup: trait holding the signup date. */
	trait?: string;
	operator?: Operator;
	value?: unknown;
	/** Reason shown when the rule contributes; placeholders: {value} {window} {event} {days} {actual} {name}. */
	reason?: string;
	/** Pre-aggregated account rows: the column holding this rule's measured value (default: the rule's key). */
	column?: string;
	/** Only subjects that signed up at least this many days ago can match (signup trait, else first event). */
	minDaysSinceSignup?: number;
}

export interface TierConfig {
	name: string;
	/** Lowest score of the tier; null = every score below the other tiers. */
	minScore: number | null;
}

export type ScoringMode = 'points' | 'allCriteria';

export interface ModelConfig {
	/** points: a PQL when the total reaches `threshold`. allCriteria: a PQL when every non-negative rule matches and no negative rule does. */
	mode?: ScoringMode;
	threshold?: number;
	tiers?: TierConfig[];
	rules: RuleConfig[];
}

export const DEFAULT_THRESHOLD = 70;

export const DEFAULT_TIERS: TierConfig[] = [
	{ name: 'hot', minScore: 70 },
	{ name: 'warm', minScore: 40 },
	{ name: 'cold', minScore: null },
];

/** Signup-date traits looked up, in order, when a daysSinceSignup rule names none. */
export const SIGNUP_TRAITS = ['created_at', 'createdAt', 'signed_up_at', 'signup_date'];
