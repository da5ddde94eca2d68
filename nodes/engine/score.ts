import type { CompiledModel, CompiledRule } from './rules/compile';
import type { RuleCategory } from './rules/schema';
import { reasonLine } from './reasons';
import { DAY_MS, toIso } from './time';

/**
 * What was measured for one subject (account or user), one slot per rule of the model.
 * Batch aggregation, streaming state and pre-aggregated rows all produce this; scoring reads only this.
 */
export interface SubjectFeatures {
	/** Measured value per rule (count, days, users); for trait rules 1 = matched, 0 = not. NaN = not measured. */
	values: number[];
	/** Epoch ms of the latest event counted by each event rule (not finite if none): the age decay works on. */
	lastMatch: number[];
	/** For trait rules: the trait value that was compared (shown in the reason). */
	traitValues: unknown[];
	/** Epoch ms the subject signed up (signup trait, else first event); NaN when unknown or not needed. */
	signupAt?: number;
}

export interface SubjectSummary {
	level: 'account' | 'user';
	id: string;
	/** Display name (account `name` trait, or the user's e-mail). */
	name: string | undefined;
	accountId: string | undefined;
	users: Array<{ id: string; email: string | undefined }>;
	firstSeen: number | undefined;
	lastSeen: number | undefined;
	activeDays: number;
	eventCounts: Record<string, number>;
}

export interface MatchedRule {
	name: string;
	category: RuleCategory;
	points: number;
	value: number | unknown;
	reason: string;
}

export interface UnmatchedRule {
	name: string;
	category: RuleCategory;
	value: number | unknown;
	condition: string;
}

export type CategoryTotals = Record<RuleCategory, number>;

export interface ScoreResult {
	level: 'account' | 'user';
	id: string;
	name: string | null;
	accountId: string | null;
	score: number;
	isPql: boolean;
	tier: string | null;
	threshold: number;
	mode: 'points' | 'allCriteria';
	subtotals: CategoryTotals;
	reasons: string[];
	matchedRules: MatchedRule[];
	unmatchedRules: UnmatchedRule[];
	users: Array<{ id: string; email: string | null }>;
	userCount: number;
	firstSeen: string | null;
	lastSeen: string | null;
	activeDays: number;
	eventCounts: Record<string, number>;
	asOf: string;
	modelVersion: string;
	summary: string;
}

export interface RuleOutcome {
	rule: CompiledRule;
	matched: boolean;
	value: number;
	actual: unknown;
	/** Signed contribution after cap and decay (negative rules subtract). */
	points: number;
	reason: string | undefined;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/** Every result of a batch shares the as-of time: format it once, not once per account. */
let lastIso = { at: NaN, text: '' };
function isoOf(at: number): string {
	if (lastIso.at !== at) lastIso = { at, text: new Date(at).toISOString() };
	return lastIso.text;
}

function decayFactor(rule: CompiledRule, lastMatch: number, asOf: number): number {
	if (rule.decay === undefined || !Number.isFinite(lastMatch)) return 1;
	const ageDays = Math.max(0, asOf - lastMatch) / DAY_MS;
	if (rule.decay.mode === 'halfLife') return Math.pow(0.5, ageDays / rule.decay.days);
	return Math.max(0, 1 - ageDays / rule.decay.days);
}

function ruleMatches(rule: CompiledRule, value: number, features: SubjectFeatures, asOf: number): boolean {
	if (rule.minSignupAgeMs > 0 && !(asOf - (features.signupAt ?? NaN) >= rule.minSignupAgeMs)) return false;
	return rule.type === 'trait' ? value === 1 : value >= rule.atLeast && value <= rule.atMost;
}

/** Signed points of a matched rule after cap and decay (negative rules subtract), and the points before decay. */
function matchedPoints(rule: CompiledRule, value: number, lastMatch: number, asOf: number): { points: number; undecayed: number | undefined } {
	const raw = rule.perUnit ? rule.points * value : rule.points;
	// The cap bounds the magnitude, for negative points as for positive ones.
	const base = Math.sign(raw) * Math.min(Math.abs(raw), rule.cap);
	const factor = decayFactor(rule, lastMatch, asOf);
	const magnitude = round1(base * factor);
	const points = rule.category === 'negative' ? -Math.abs(magnitude) : magnitude;
	const undecayed = factor < 1 ? (rule.category === 'negative' ? -Math.abs(base) : base) : undefined;
	return { points, undecayed };
}

export function evaluateRule(rule: CompiledRule, features: SubjectFeatures, asOf: number): RuleOutcome {
	const value = features.values[rule.index];
	const actual = features.traitValues[rule.index];
	if (!ruleMatches(rule, value, features, asOf)) return { rule, matched: false, value, actual, points: 0, reason: undefined };
	const { points, undecayed } = matchedPoints(rule, value, features.lastMatch[rule.index], asOf);
	const reason = reasonLine(rule.reasonText(value, actual), points, undecayed);
	return { rule, matched: true, value, actual, points, reason };
}

export interface ScoreVerdict {
	score: number;
	isPql: boolean;
	tier: string | null;
}

const CATEGORY_SLOT: Record<RuleCategory, number> = { usage: 0, fit: 1, intent: 2, negative: 3 };

/**
 * The score alone, without reasons: what a ranking or a threshold check needs. Adds up exactly as
 * scoreSubject does, so both always agree.
 */
export function scoreVerdict(model: CompiledModel, features: SubjectFeatures, asOf: number): ScoreVerdict {
	const subtotals = [0, 0, 0, 0];
	let allCriteriaMet = true;
	const rules = model.rules;
	for (let r = 0; r < rules.length; r++) {
		const rule = rules[r];
		const value = features.values[rule.index];
		const matched = ruleMatches(rule, value, features, asOf);
		if (matched !== (rule.category !== 'negative')) allCriteriaMet = false;
		if (!matched) continue;
		const slot = CATEGORY_SLOT[rule.category];
		subtotals[slot] = round1(subtotals[slot] + matchedPoints(rule, value, features.lastMatch[rule.index], asOf).points);
	}
	const score = round1(subtotals[0] + subtotals[1] + subtotals[2] + subtotals[3]);
	const isPql = model.config.mode === 'points' ? score >= model.config.threshold : allCriteriaMet;
	return { score, isPql, tier: tierFor(model, score) };
}

export function tierFor(model: CompiledModel, score: number): string | null {
	for (const tier of model.tiers) {
		if (tier.minScore === null || score >= tier.minScore) return tier.name;
	}
	return null;
}

function summaryLine(label: string, score: number, isPql: boolean, tier: string | null, model: CompiledModel, positives: RuleOutcome[]): string {
	const verdict = isPql ? 'PQL' : 'not a PQL';
	const target = model.config.mode === 'points' ? `/${model.config.threshold}` : '';
	const head = `${label}: ${verdict}, score ${score}${target}${tier ? ` (${tier})` : ''}`;
	if (positives.length === 0) return `${head}.`;
	const top = [...positives].sort((a, b) => b.points - a.points).slice(0, 3);
	const more = positives.length - top.length;
	return `${head}. ${top.map((outcome) => outcome.reason).join('; ')}${more > 0 ? `; +${more} more` : ''}.`;
}

/** Features → points → total → PQL decision → tier → reasons, for one subject. */
export function scoreSubject(
	model: CompiledModel,
	subject: SubjectSummary,
	features: SubjectFeatures,
	asOf: number,
): ScoreResult {
	const subtotals: CategoryTotals = { usage: 0, fit: 0, intent: 0, negative: 0 };
	const reasons: string[] = [];
	const matchedRules: MatchedRule[] = [];
	const unmatchedRules: UnmatchedRule[] = [];
	const positives: RuleOutcome[] = [];
	let allCriteriaMet = true;
	for (const rule of model.rules) {
		const outcome = evaluateRule(rule, features, asOf);
		const shownValue = rule.type === 'trait' ? (outcome.actual ?? null) : Number.isNaN(outcome.value) ? null : outcome.value;
		if (outcome.matched) {
			subtotals[rule.category] = round1(subtotals[rule.category] + outcome.points);
			reasons.push(outcome.reason!);
			matchedRules.push({ name: rule.name, category: rule.category, points: outcome.points, value: shownValue, reason: outcome.reason! });
			if (rule.category === 'negative') allCriteriaMet = false;
			else positives.push(outcome);
		} else {
			unmatchedRules.push({ name: rule.name, category: rule.category, value: shownValue, condition: rule.condition });
			if (rule.category !== 'negative') allCriteriaMet = false;
		}
	}
	const score = round1(subtotals.usage + subtotals.fit + subtotals.intent + subtotals.negative);
	const isPql = model.config.mode === 'points' ? score >= model.config.threshold : allCriteriaMet;
	const tier = tierFor(model, score);
	return {
		level: subject.level,
		id: subject.id,
		name: subject.name ?? null,
		accountId: subject.accountId ?? null,
		score,
		isPql,
		tier,
		threshold: model.config.threshold,
		mode: model.config.mode,
		subtotals,
		reasons,
		matchedRules,
		unmatchedRules,
		users: subject.users.map((user) => ({ id: user.id, email: user.email ?? null })),
		userCount: subject.users.length,
		firstSeen: toIso(subject.firstSeen),
		lastSeen: toIso(subject.lastSeen),
		activeDays: subject.activeDays,
		eventCounts: subject.eventCounts,
		asOf: isoOf(asOf),
		modelVersion: model.version,
		summary: summaryLine(subject.name ?? subject.id, score, isPql, tier, model, positives),
	};
}


/** Highest score first; ties by id so output order is stable. */
export function byScore(a: ScoreResult, b: ScoreResult): number {
	return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
