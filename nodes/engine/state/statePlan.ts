import { createHash } from 'crypto';
import type { Properties } from '../events/model';
import type { CompiledModel, CompiledRule } from '../rules/compile';
import { SIGNUP_TRAITS } from '../rules/schema';
import { DAY_MS } from '../time';
import type { MeasureState } from './measures';

/**
 * Bounds of the streaming state. Counts, days and users are exact up to these numbers (or up to
 * what a rule needs to decide, when that is more); beyond them the value shown stays at the bound
 * while points and PQL decisions stay exact.
 */
/** Matching events kept per windowed count rule. */
export const MIN_KEPT_MATCHES = 100;
/** Users kept per distinctUsers rule. */
export const MIN_KEPT_USERS = 500;
/** Distinct active days listed per all-time day count (to recognise repeated or late days). */
export const KEPT_ACTIVE_DAYS = 100;
/** People (id, e-mail, traits) kept per account; the least recently active go first. */
export const MAX_KEPT_PEOPLE = 1000;
/** Accounts a user's document lists as the user's memberships (most recent kept). */
export const MAX_USER_ACCOUNTS = 20;
/** Distinct event names counted per account in `eventCounts`. */
export const MAX_EVENT_NAMES = 200;

export type MeasureKind = 'count' | 'days' | 'users';

/**
 * One thing measured from events. Rules that measure the same thing (event, filters) share it: over
 * all time, or within windows, where the list kept for the longest window answers the shorter ones.
 */
export interface Measure {
	/** Slot in AccountState.rules, e.g. `count:7d:1f0c9a2e`: stays the same when only points or bounds of a rule change. */
	key: string;
	kind: MeasureKind;
	/** Infinity = all time; the longest window of the rules sharing it. */
	windowMs: number;
	/** The distinct windows of the rules sharing it (finite ones only): when entries leave each of them. */
	windows: number[];
	/** How many recent matches, days or users to keep (see the bounds above). */
	keep: number;
	matchesProperties: ((properties: Properties) => boolean) | undefined;
}

export interface StatePlan {
	measures: Measure[];
	measureKeys: ReadonlySet<string>;
	/** The measures with a window, which pruning walks. */
	windowedMeasures: Measure[];
	/** Per rule index: its measure (event rules only). */
	measureOfRule: Array<Measure | undefined>;
	/** Measures an event of this name may feed. */
	measuresForEvent(name: string): Measure[];
	/** An empty measures object with every key of the plan (see emptyActivity). */
	emptyMeasures(): Record<string, MeasureState | undefined>;
	/** Trait keys worth keeping: what trait and daysSinceSignup rules read, plus e-mail and name. */
	accountTraitKeys: readonly string[];
	userTraitKeys: readonly string[];
}

function measureKind(rule: CompiledRule): MeasureKind {
	if (rule.type === 'activeDays') return 'days';
	if (rule.type === 'distinctUsers') return 'users';
	return 'count';
}

function whatIsMeasured(rule: CompiledRule): string {
	const what = JSON.stringify([rule.events === undefined ? null : [...rule.events].sort(), rule.config.filters ?? []]);
	return createHash('sha1').update(what).digest('hex').slice(0, 8);
}

function measureKey(kind: MeasureKind, windowMs: number, what: string): string {
	return `${kind}:${Number.isFinite(windowMs) ? `${windowMs / DAY_MS}d` : 'all'}:${what}`;
}

/** Matches (or days, users) a rule must be able to tell apart to score exactly. */
function neededToDecide(rule: CompiledRule): number {
	let needed = Number.isFinite(rule.atLeast) ? Math.ceil(rule.atLeast) : 0;
	if (Number.isFinite(rule.atMost)) needed = Math.max(needed, Math.floor(rule.atMost) + 1);
	if (rule.perUnit && Number.isFinite(rule.cap) && rule.points > 0) needed = Math.max(needed, Math.ceil(rule.cap / rule.points));
	return needed;
}

/** Trait keys readPath may look at for a path: the dotted path itself and its first segment. */
function keysOfPath(path: string): string[] {
	const head = path.split('.')[0];
	return head === path ? [path] : [path, head];
}

function traitKeys(model: CompiledModel) {
	const account = new Set(['email', 'name']);
	// The user's e-mail is kept once, as UserDoc.email; trait rules on `email` read it from there.
	const user = new Set<string>();
	for (const rule of model.rules) {
		if (rule.type === 'trait') {
			const target = rule.config.scope === 'user' ? user : account;
			for (const key of keysOfPath(rule.config.trait!)) target.add(key);
		}
		const signupTraits = rule.type === 'daysSinceSignup' ? (rule.config.trait ? [rule.config.trait] : [...SIGNUP_TRAITS]) : [];
		if (rule.minSignupAgeMs > 0) signupTraits.push(...SIGNUP_TRAITS);
		for (const trait of signupTraits) {
			for (const key of keysOfPath(trait)) {
				account.add(key);
				user.add(key);
			}
		}
	}
	return { accountTraitKeys: [...account], userTraitKeys: [...user] };
}

function buildPlan(model: CompiledModel): StatePlan {
	// Rules measuring the same thing share one measure: over all time, or one for all their windows.
	const byWhat = new Map<string, { kind: MeasureKind; windowed: boolean; what: string; rules: CompiledRule[] }>();
	for (const rule of model.eventRules) {
		const kind = measureKind(rule);
		const windowed = Number.isFinite(rule.windowMs);
		const what = whatIsMeasured(rule);
		const id = `${kind}:${windowed}:${what}`;
		const shared = byWhat.get(id) ?? { kind, windowed, what, rules: [] };
		shared.rules.push(rule);
		byWhat.set(id, shared);
	}
	const byKey = new Map<string, Measure>();
	const measureOfRule: Array<Measure | undefined> = new Array(model.rules.length).fill(undefined);
	for (const { kind, windowed, what, rules } of byWhat.values()) {
		const floor = kind === 'users' ? MIN_KEPT_USERS : kind === 'days' ? KEPT_ACTIVE_DAYS : MIN_KEPT_MATCHES;
		const windowMs = Math.max(...rules.map((rule) => rule.windowMs));
		// Keyed by the longest window: the key a lone rule with that window has, so stored states stay readable.
		const measure: Measure = {
			key: measureKey(kind, windowMs, what),
			kind,
			windowMs,
			windows: windowed ? [...new Set(rules.map((rule) => rule.windowMs))] : [],
			keep: Math.max(floor, ...rules.map(neededToDecide)),
			matchesProperties: rules[0].matchesProperties,
		};
		byKey.set(measure.key, measure);
		for (const rule of rules) measureOfRule[rule.index] = measure;
	}
	const forEvent = new Map<string, Measure[]>();
	const measuresForEvent = (name: string): Measure[] => {
		let measures = forEvent.get(name);
		if (measures === undefined) {
			const rules = model.eventRules.filter((rule) => rule.events === undefined || rule.events.includes(name));
			measures = [...new Set(rules.map((rule) => measureOfRule[rule.index]!))];
			forEvent.set(name, measures);
		}
		return measures;
	};
	const measures = [...byKey.values()];
	const windowedMeasures = measures.filter((measure) => Number.isFinite(measure.windowMs));
	const shape: Record<string, MeasureState | undefined> = {};
	for (const measure of measures) shape[measure.key] = undefined;
	const emptyMeasures = () => ({ ...shape });
	return { measures, measureKeys: new Set(byKey.keys()), windowedMeasures, measureOfRule, measuresForEvent, emptyMeasures, ...traitKeys(model) };
}

const plans = new WeakMap<CompiledModel, StatePlan>();

/** What the streaming state keeps for a model, worked out once per compiled model. */
export function statePlan(model: CompiledModel): StatePlan {
	let plan = plans.get(model);
	if (plan === undefined) {
		plan = buildPlan(model);
		plans.set(model, plan);
	}
	return plan;
}
