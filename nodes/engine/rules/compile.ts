import { createHash } from 'crypto';
import type { Properties } from '../events/model';
import { compileReasonText, describeCondition } from '../reasons';
import { DAY_MS } from '../time';
import { compileCondition, readPath, type Condition } from './conditions';
import {
	EVENT_RULE_TYPES,
	type DecayConfig,
	type ModelConfig,
	type RuleCategory,
	type RuleConfig,
	type RuleType,
	type TierConfig,
} from './schema';
import { validateModel } from './validate';

export interface CompiledRule {
	index: number;
	/** Stable identifier derived from the name: the default column of pre-aggregated rows. */
	key: string;
	name: string;
	category: RuleCategory;
	type: RuleType;
	config: RuleConfig;
	isEventRule: boolean;
	/** Event names the rule counts; undefined = any product event. */
	events: string[] | undefined;
	matchesProperties: ((properties: Properties) => boolean) | undefined;
	/** Infinity = all time. */
	windowMs: number;
	atLeast: number;
	atMost: number;
	points: number;
	perUnit: boolean;
	cap: number;
	decay: DecayConfig | undefined;
	/** Days since signup the subject needs before the rule can match (0 = no condition). */
	minSignupAgeMs: number;
	traitTest: Condition | undefined;
	/** The reason text for a measured value (points are added by the scorer). */
	reasonText: (value: number, actual: unknown) => string;
	/** What the rule needs, in words. */
	condition: string;
}

/** What the model knows about an event name: its slot in per-subject counters and the rules that may count it. */
export interface EventSlot {
	index: number;
	rules: CompiledRule[];
}

export interface CompiledModel {
	config: Required<ModelConfig>;
	/** Changes whenever anything that affects scores changes: stamp it on every result. */
	version: string;
	rules: CompiledRule[];
	eventRules: CompiledRule[];
	/** Tiers sorted from the highest minimum score down. */
	tiers: TierConfig[];
	/** The longest event window in ms (Infinity when a rule looks at all time): how much history state must keep. */
	longestWindowMs: number;
	/** Some rule reads the signup time (minDaysSinceSignup): features carry it. */
	needsSignup: boolean;
	/** Event names seen so far, by slot index. */
	eventNames: string[];
	/** The slot of an event name: created on first sight, so per-event work is one small-map lookup. */
	eventSlot(name: string): EventSlot;
}

export function ruleKey(name: string): string {
	return name
		.trim()
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '_')
		.replace(/^_|_$/g, '');
}

function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const entries = Object.keys(value as object)
			.sort()
			.map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`);
		return `{${entries.join(',')}}`;
	}
	return JSON.stringify(value);
}

function eventNames(event: RuleConfig['event']): string[] | undefined {
	const names = (Array.isArray(event) ? event : [event ?? ''])
		.map((name) => name.trim())
		.filter((name) => name !== '');
	return names.length === 0 || names.includes('*') ? undefined : names;
}

function compilePropertyFilters(rule: RuleConfig): CompiledRule['matchesProperties'] {
	const filters = (rule.filters ?? []).map((filter) => ({
		property: filter.property,
		test: compileCondition(filter.operator, filter.value),
	}));
	if (filters.length === 0) return undefined;
	return (properties) => filters.every((filter) => filter.test(readPath(properties, filter.property)));
}

function compileRule(rule: RuleConfig, index: number): CompiledRule {
	const isEventRule = EVENT_RULE_TYPES.includes(rule.type);
	const compiled: Omit<CompiledRule, 'reasonText' | 'condition'> = {
		index,
		key: rule.column ?? ruleKey(rule.name),
		name: rule.name,
		category: rule.category,
		type: rule.type,
		config: rule,
		isEventRule,
		events: isEventRule ? eventNames(rule.event) : undefined,
		matchesProperties: isEventRule ? compilePropertyFilters(rule) : undefined,
		windowMs: rule.windowDays === undefined ? Infinity : rule.windowDays * DAY_MS,
		atLeast: rule.atLeast ?? -Infinity,
		atMost: rule.atMost ?? Infinity,
		points: rule.points,
		perUnit: rule.pointsPer === 'unit',
		cap: rule.cap ?? Infinity,
		decay: rule.decay,
		minSignupAgeMs: (rule.minDaysSinceSignup ?? 0) * DAY_MS,
		traitTest: rule.type === 'trait' ? compileCondition(rule.operator!, rule.value) : undefined,
	};
	return { ...compiled, reasonText: compileReasonText(compiled), condition: describeCondition(compiled) };
}

/** Validates a model (throws RuleValidationError naming rule and field) and prepares it for scoring. */
export function compileModel(input: unknown): CompiledModel {
	const config = validateModel(input);
	const rules = config.rules.map(compileRule);
	const eventRules = rules.filter((rule) => rule.isEventRule);
	const slots = new Map<string, EventSlot>();
	const eventNames: string[] = [];
	const eventSlot = (name: string): EventSlot => {
		let slot = slots.get(name);
		if (slot === undefined) {
			const rules = eventRules.filter((rule) => rule.events === undefined || rule.events.includes(name));
			slot = { index: eventNames.length, rules };
			eventNames.push(name);
			slots.set(name, slot);
		}
		return slot;
	};
	const version = createHash('sha256').update(stableJson(config)).digest('hex').slice(0, 12);
	return {
		config,
		version,
		rules,
		eventRules,
		tiers: [...config.tiers].sort((a, b) => (b.minScore ?? -Infinity) - (a.minScore ?? -Infinity)),
		longestWindowMs: Math.max(0, ...eventRules.map((rule) => rule.windowMs)),
		needsSignup: rules.some((rule) => rule.minSignupAgeMs > 0),
		eventNames,
		eventSlot,
	};
}
