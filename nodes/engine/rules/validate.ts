import { isPresent, OPERATORS_WITH_VALUE, toList, toNumber, toRange } from './conditions';
import {
	DEFAULT_THRESHOLD,
	DEFAULT_TIERS,
	EVENT_RULE_TYPES,
	OPERATORS,
	RULE_CATEGORIES,
	RULE_TYPES,
	type ModelConfig,
	type Operator,
	type PropertyFilter,
	type RuleConfig,
	type TierConfig,
} from './schema';

export interface RuleIssue {
	/** 0-based position of the rule, or undefined for model-level settings. */
	ruleIndex: number | undefined;
	ruleName: string | undefined;
	field: string;
	message: string;
}

/** Rules that cannot be scored. The message lists every problem, each naming its rule and field. */
export class RuleValidationError extends Error {
	constructor(readonly issues: RuleIssue[]) {
		super(issues.map(describeIssue).join('\n'));
		this.name = 'RuleValidationError';
	}
}

function describeIssue(issue: RuleIssue): string {
	const where =
		issue.ruleIndex === undefined
			? 'Scoring model'
			: `Rule ${issue.ruleIndex + 1}${issue.ruleName ? ` "${issue.ruleName}"` : ''}`;
	return `${where}, field "${issue.field}": ${issue.message}`;
}

const RULE_FIELDS: Array<keyof RuleConfig> = [
	'name',
	'category',
	'type',
	'points',
	'event',
	'filters',
	'windowDays',
	'atLeast',
	'atMost',
	'pointsPer',
	'cap',
	'decay',
	'scope',
	'trait',
	'operator',
	'value',
	'reason',
	'column',
	'minDaysSinceSignup',
];
const MODEL_FIELDS: Array<keyof ModelConfig> = ['mode', 'threshold', 'tiers', 'rules'];

function show(value: unknown): string {
	return typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? String(value);
}

function oneOfText(options: readonly string[]): string {
	return options.map((option) => `"${option}"`).join(', ');
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownFields(
	source: Record<string, unknown>,
	known: readonly string[],
	report: (field: string, message: string) => void,
): void {
	for (const key of Object.keys(source)) {
		if (known.includes(key)) continue;
		const suggestion = known.find((field) => field.toLowerCase() === key.toLowerCase());
		report(key, `unknown field${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
	}
}

class RuleChecker {
	constructor(
		private readonly rule: Record<string, unknown>,
		private readonly report: (field: string, message: string) => void,
	) {}

	number(field: string, { min, required = false, positive = false }: { min?: number; required?: boolean; positive?: boolean }): void {
		const value = this.rule[field];
		if (value === undefined || value === null) {
			if (required) this.report(field, 'is required');
			return;
		}
		if (typeof value !== 'number' || !Number.isFinite(value)) {
			this.report(field, `must be a number, got ${show(value)}`);
		} else if (positive && value <= 0) {
			this.report(field, `must be greater than 0, got ${value}`);
		} else if (min !== undefined && value < min) {
			this.report(field, `must be at least ${min}, got ${value}`);
		}
	}

	choice(field: string, options: readonly string[], required: boolean): void {
		const value = this.rule[field];
		if (value === undefined) {
			if (required) this.report(field, `is required (one of ${oneOfText(options)})`);
			return;
		}
		if (typeof value !== 'string' || !options.includes(value)) {
			this.report(field, `must be one of ${oneOfText(options)}, got ${show(value)}`);
		}
	}

	text(field: string, required: boolean): void {
		const value = this.rule[field];
		if (value === undefined) {
			if (required) this.report(field, 'is required');
			return;
		}
		if (typeof value !== 'string' || value.trim() === '') this.report(field, `must be a non-empty text, got ${show(value)}`);
	}

	absent(field: string, why: string): void {
		if (this.rule[field] !== undefined) this.report(field, why);
	}
}

function checkComparison(
	operator: unknown,
	value: unknown,
	report: (field: string, message: string) => void,
	fieldPrefix = '',
): void {
	if (typeof operator !== 'string' || !OPERATORS.includes(operator as Operator)) {
		report(`${fieldPrefix}operator`, `must be one of ${oneOfText(OPERATORS)}, got ${show(operator)}`);
		return;
	}
	if (OPERATORS_WITH_VALUE.includes(operator as Operator) && !isPresent(value)) {
		report(`${fieldPrefix}value`, `is required for the "${operator}" operator`);
		return;
	}
	if ((operator === 'gte' || operator === 'lte') && Number.isNaN(toNumber(value))) {
		report(`${fieldPrefix}value`, `must be a number for "${operator}", got ${show(value)}`);
	}
	if (operator === 'between') {
		const [min, max] = toRange(value);
		if (Number.isNaN(min) || Number.isNaN(max) || min > max) {
			report(`${fieldPrefix}value`, `must be a range like [50, 1000] or "50..1000", got ${show(value)}`);
		}
	}
	if ((operator === 'oneOf' || operator === 'emailDomainIn') && toList(value).length === 0) {
		report(`${fieldPrefix}value`, `must list at least one value for "${operator}"`);
	}
}

function checkFilters(filters: unknown, report: (field: string, message: string) => void): void {
	if (filters === undefined) return;
	if (!Array.isArray(filters)) {
		report('filters', `must be a list of {property, operator, value}, got ${show(filters)}`);
		return;
	}
	filters.forEach((filter: unknown, position) => {
		const prefix = `filters[${position}].`;
		if (!isObject(filter)) {
			report(`filters[${position}]`, `must be an object {property, operator, value}, got ${show(filter)}`);
			return;
		}
		if (typeof filter.property !== 'string' || filter.property.trim() === '') {
			report(`${prefix}property`, 'is required');
		}
		checkComparison(filter.operator, filter.value, report, prefix);
	});
}

function checkRule(rule: unknown, index: number, issues: RuleIssue[], names: Set<string>): void {
	const ruleName = isObject(rule) && typeof rule.name === 'string' ? rule.name : undefined;
	const report = (field: string, message: string) => issues.push({ ruleIndex: index, ruleName, field, message });
	if (!isObject(rule)) {
		report('(rule)', `must be an object, got ${show(rule)}`);
		return;
	}
	unknownFields(rule, RULE_FIELDS, report);
	const check = new RuleChecker(rule, report);
	check.text('name', true);
	if (ruleName !== undefined) {
		const key = ruleName.trim().toLowerCase();
		if (names.has(key)) report('name', 'another rule has the same name; names must be unique');
		names.add(key);
	}
	check.choice('category', RULE_CATEGORIES, true);
	check.choice('type', RULE_TYPES, true);
	check.number('points', { required: true });
	check.number('atLeast', { min: 0 });
	check.number('atMost', { min: 0 });
	check.number('cap', { positive: true });
	check.number('minDaysSinceSignup', { min: 0 });
	check.choice('pointsPer', ['match', 'unit'], false);
	check.text('reason', false);
	check.text('column', false);
	if (typeof rule.atLeast === 'number' && typeof rule.atMost === 'number' && rule.atLeast > rule.atMost) {
		report('atMost', `must not be below atLeast (${rule.atLeast}), got ${rule.atMost}`);
	}

	const type = rule.type as RuleConfig['type'];
	const isEventRule = EVENT_RULE_TYPES.includes(type);
	if (isEventRule) {
		const event = rule.event;
		const validEvent =
			event === undefined ||
			typeof event === 'string' ||
			(Array.isArray(event) && event.every((name) => typeof name === 'string'));
		if (!validEvent) report('event', `must be an event name or a list of names, got ${show(event)}`);
		checkFilters(rule.filters, report);
		if (type === 'everDid') check.absent('windowDays', 'an "everDid" rule looks at all time; use "eventCount" for a window');
		else check.number('windowDays', { positive: true });
		checkDecay(rule.decay, report);
	} else {
		for (const field of ['event', 'filters', 'windowDays', 'decay']) {
			check.absent(field, `only applies to event rules (${EVENT_RULE_TYPES.join(', ')})`);
		}
	}
	if (rule.pointsPer === 'unit' && !['eventCount', 'activeDays', 'distinctUsers'].includes(type)) {
		report('pointsPer', '"unit" only applies to eventCount, activeDays and distinctUsers rules');
	}
	if (type === 'inactiveDays' || type === 'daysSinceSignup') {
		if (rule.atLeast === undefined && rule.atMost === undefined) report('atLeast', 'is required (or atMost)');
	}
	if (type === 'daysSinceSignup') check.text('trait', false);
	if (type === 'trait') {
		check.text('trait', true);
		check.choice('scope', ['account', 'user'], false);
		checkComparison(rule.operator, rule.value, report);
		check.absent('atLeast', 'trait rules compare with "operator" and "value"');
		check.absent('atMost', 'trait rules compare with "operator" and "value"');
	} else {
		check.absent('operator', 'only applies to trait rules');
		check.absent('scope', 'only applies to trait rules');
	}
}

function checkDecay(decay: unknown, report: (field: string, message: string) => void): void {
	if (decay === undefined) return;
	if (!isObject(decay)) {
		report('decay', `must be {mode: "halfLife" | "linear", days}, got ${show(decay)}`);
		return;
	}
	if (decay.mode !== 'halfLife' && decay.mode !== 'linear') {
		report('decay.mode', `must be "halfLife" or "linear", got ${show(decay.mode)}`);
	}
	if (typeof decay.days !== 'number' || !(decay.days > 0)) {
		report('decay.days', `must be a number of days greater than 0, got ${show(decay.days)}`);
	}
}

function checkTiers(tiers: unknown, issues: RuleIssue[]): void {
	const report = (field: string, message: string) =>
		issues.push({ ruleIndex: undefined, ruleName: undefined, field, message });
	if (!Array.isArray(tiers) || tiers.length === 0) {
		report('tiers', 'must be a non-empty list of {name, minScore}');
		return;
	}
	const names = new Set<string>();
	let catchAll = 0;
	tiers.forEach((tier: unknown, position) => {
		if (!isObject(tier) || typeof tier.name !== 'string' || tier.name.trim() === '') {
			report(`tiers[${position}].name`, 'is required');
			return;
		}
		if (names.has(tier.name)) report(`tiers[${position}].name`, `"${tier.name}" is used twice`);
		names.add(tier.name);
		if (tier.minScore === null || tier.minScore === undefined) catchAll++;
		else if (typeof tier.minScore !== 'number' || !Number.isFinite(tier.minScore)) {
			report(`tiers[${position}].minScore`, `must be a number or null, got ${show(tier.minScore)}`);
		}
	});
	if (catchAll > 1) report('tiers', 'only one tier can have no minimum score');
}

/** Rules pasted as JSON text; a syntax error is reported like any other rule problem. */
export function parseModelJson(text: string): unknown {
	let syntaxError: Error | undefined;
	let model: unknown;
	try {
		model = JSON.parse(text) as unknown;
	} catch (error) {
		syntaxError = error as Error;
	}
	if (syntaxError !== undefined) {
		const message = `is not valid JSON (${syntaxError.message})`;
		throw new RuleValidationError([{ ruleIndex: undefined, ruleName: undefined, field: 'Rules (JSON)', message }]);
	}
	return model;
}

/** Checks a model (from the UI or pasted JSON) and returns it with defaults filled in. */
export function validateModel(input: unknown): Required<ModelConfig> {
	const issues: RuleIssue[] = [];
	const report = (field: string, message: string) =>
		issues.push({ ruleIndex: undefined, ruleName: undefined, field, message });
	if (!isObject(input)) throw new RuleValidationError([{ ruleIndex: undefined, ruleName: undefined, field: '(model)', message: `must be an object with "rules", got ${show(input)}` }]);
	unknownFields(input, MODEL_FIELDS, report);
	const mode = input.mode ?? 'points';
	if (mode !== 'points' && mode !== 'allCriteria') report('mode', `must be "points" or "allCriteria", got ${show(mode)}`);
	const threshold = input.threshold ?? DEFAULT_THRESHOLD;
	if (typeof threshold !== 'number' || !Number.isFinite(threshold)) report('threshold', `must be a number, got ${show(threshold)}`);
	const tiers = input.tiers ?? DEFAULT_TIERS;
	checkTiers(tiers, issues);
	if (!Array.isArray(input.rules) || input.rules.length === 0) {
		report('rules', 'must be a non-empty list of rules');
	} else {
		const names = new Set<string>();
		input.rules.forEach((rule, index) => checkRule(rule, index, issues, names));
	}
	if (issues.length > 0) throw new RuleValidationError(issues);
	return {
		mode: mode as ModelConfig['mode'] & string,
		threshold: threshold as number,
		tiers: (tiers as TierConfig[]).map((tier) => ({ name: tier.name, minScore: tier.minScore ?? null })),
		rules: (input.rules as RuleConfig[]).map(withDefaults),
	};
}

/**
 * Spells out defaults and drops empty fields, so that the same rules written two ways (UI, JSON,
 * preset) compare equal and get the same model version.
 */
function withDefaults(rule: RuleConfig): RuleConfig {
	const copy: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(rule)) {
		if (value !== undefined && !(Array.isArray(value) && value.length === 0 && key === 'filters')) copy[key] = value;
	}
	// An event rule with neither bound means "did it at least once"; one with only atMost ("did not do X") keeps 0 as its floor.
	if (EVENT_RULE_TYPES.includes(rule.type) && copy.atLeast === undefined && copy.atMost === undefined) copy.atLeast = 1;
	if (rule.type === 'trait' && copy.scope === undefined) copy.scope = 'account';
	if (copy.pointsPer === 'match') delete copy.pointsPer;
	return copy as unknown as RuleConfig;
}

export type { PropertyFilter };
