import type { PqlEvent } from '../events/model';
import { utcDay } from '../time';
import {
	addDayToTally,
	addMatchToTotal,
	addRecentDay,
	addRecentMatch,
	addUser,
	cloneMeasure,
	compactMeasure,
	mergeMeasure,
	pruneMeasure,
	type DayTally,
	type MatchTotal,
	type MeasureState,
	type RecentDays,
	type RecentMatches,
	type UserList,
} from './measures';
import { KEPT_ACTIVE_DAYS, MAX_EVENT_NAMES, type Measure, type StatePlan } from './statePlan';

/**
 * What a set of product events (track / page) measured: the only thing events change. An account
 * holds one for the events that named it; a user holds one for the events that named no account,
 * which count for whichever account the user belongs to (see identity.ts). Plain JSON, bounded.
 */
export interface Activity {
	firstSeen?: number;
	lastSeen?: number;
	/** Distinct UTC days with a product event, all time. */
	days?: DayTally;
	eventCounts: Record<string, number>;
	/** Per measure key (see Measure.key): what the event rules measure (undefined: nothing yet). */
	measures: Record<string, MeasureState | undefined>;
}

/**
 * Event names vary per account: their counts are a dictionary (no prototype) from the start. Measures
 * start with every key of the plan, in the plan's order (StatePlan.emptyMeasures), so that all of a
 * batch's activities share one shape and reading a measure is a fast property access.
 */
export function emptyActivity(plan?: StatePlan): Activity {
	return { eventCounts: Object.create(null) as Record<string, number>, measures: plan?.emptyMeasures() ?? {} };
}

export function hasEvents(activity: Activity | undefined): activity is Activity & { lastSeen: number } {
	return activity?.lastSeen !== undefined;
}

function countEventName(counts: Record<string, number>, name: string, by = 1): void {
	const known = counts[name];
	if (typeof known === 'number' && Object.prototype.hasOwnProperty.call(counts, name)) counts[name] = known + by;
	else {
		const names = nameCount(counts);
		if (names >= MAX_EVENT_NAMES) return;
		// "__proto__" would change the prototype of a plain object (a restored snapshot) instead of counting.
		if (name === '__proto__') Object.defineProperty(counts, name, { value: by, writable: true, enumerable: true, configurable: true });
		else counts[name] = by;
		(counts as NameCounted)[NAME_COUNT] = names + 1;
	}
}

/** How many names a counts object holds, kept on it where JSON, Object.keys and spreads do not see it. */
const NAME_COUNT = Symbol('event names');
type NameCounted = Record<string, number> & { [NAME_COUNT]?: number };

function nameCount(counts: NameCounted): number {
	const cached = counts[NAME_COUNT];
	if (cached !== undefined) return cached;
	let count = 0;
	for (const name in counts) if (Object.prototype.hasOwnProperty.call(counts, name)) count++;
	Object.defineProperty(counts, NAME_COUNT, { value: count, writable: true, enumerable: false });
	return count;
}

function recordMatch(measure: Measure, slot: MeasureState | undefined, event: PqlEvent): MeasureState {
	const time = event.timestamp;
	const windowed = Number.isFinite(measure.windowMs);
	switch (measure.kind) {
		case 'count':
			return windowed ? addRecentMatch(slot as RecentMatches, time, measure.keep) : addMatchToTotal(slot as MatchTotal, time);
		case 'days':
			return windowed ? addRecentDay(slot as RecentDays, time) : addDayToTally(slot as DayTally, time, measure.keep);
		case 'users':
			return addUser(slot as UserList, windowed ? 'recentUsers' : 'userTally', event.userId!, time, measure.keep);
	}
}

/** Drops what every window has left behind as of the latest event: scores are only asked as of then or later. */
function pruneWindows(plan: StatePlan, activity: Activity): void {
	const lastSeen = activity.lastSeen!;
	const measures = plan.windowedMeasures;
	for (let i = 0; i < measures.length; i++) {
		const measure = measures[i];
		const slot = activity.measures[measure.key];
		if (slot !== undefined) pruneMeasure(slot, lastSeen - measure.windowMs);
	}
}

/** Forgets measures a changed model no longer uses. */
export function adoptModel(plan: StatePlan, activity: Activity): void {
	for (const key of Object.keys(activity.measures)) if (!plan.measureKeys.has(key)) delete activity.measures[key];
}

/**
 * THE place where a product event changes what is measured (batch and stream alike). Mutates `activity`.
 * `scoredFrom`: the earliest time the activity will be scored as of (a batch's as-of time, the stream's clock).
 */
export function foldProductEvent(plan: StatePlan, activity: Activity, event: PqlEvent, scoredFrom = -Infinity): void {
	const time = event.timestamp;
	const advanced = activity.lastSeen === undefined || time > activity.lastSeen;
	if (activity.firstSeen === undefined || time < activity.firstSeen) activity.firstSeen = time;
	if (advanced) activity.lastSeen = time;
	activity.days = addDayToTally(activity.days, time, KEPT_ACTIVE_DAYS);
	countEventName(activity.eventCounts, event.name);
	const horizon = Math.max(activity.lastSeen!, scoredFrom);
	const measures = plan.measuresForEvent(event.name);
	for (let i = 0; i < measures.length; i++) {
		const measure = measures[i];
		// Older than the window as of the latest event or the first score: no score can count it.
		if (time < horizon - measure.windowMs) continue;
		if (measure.matchesProperties !== undefined && !measure.matchesProperties(event.properties)) continue;
		if (measure.kind === 'users' && event.userId === undefined) continue;
		activity.measures[measure.key] = recordMatch(measure, activity.measures[measure.key], event);
	}
	if (advanced) pruneWindows(plan, activity);
}

function mergeDays(a: DayTally | undefined, b: DayTally | undefined): DayTally | undefined {
	if (a === undefined || b === undefined) return a ?? b;
	return mergeMeasure(a, b, KEPT_ACTIVE_DAYS) as DayTally;
}

/** The activity of several parts together (an account's own events and its users' unassigned ones). New object. */
export function mergeActivities(plan: StatePlan, parts: readonly Activity[]): Activity {
	const present = parts.filter(hasEvents);
	if (present.length === 1) return present[0];
	const merged = emptyActivity(plan);
	for (const part of present) {
		if (merged.firstSeen === undefined || part.firstSeen! < merged.firstSeen) merged.firstSeen = part.firstSeen;
		if (merged.lastSeen === undefined || part.lastSeen > merged.lastSeen) merged.lastSeen = part.lastSeen;
		merged.days = mergeDays(merged.days, part.days);
		for (const [name, count] of Object.entries(part.eventCounts)) countEventName(merged.eventCounts, name, count);
		for (const measure of plan.measures) {
			const slot = part.measures[measure.key];
			if (slot === undefined) continue;
			const known = merged.measures[measure.key];
			merged.measures[measure.key] = known === undefined ? cloneMeasure(slot) : mergeMeasure(known, slot, measure.keep);
		}
	}
	if (merged.lastSeen !== undefined) pruneWindows(plan, merged);
	return merged;
}

/** Counts with more names stay a dictionary: few accounts share a shape with that many names. */
const MAX_COMPACT_NAMES = 16;

/**
 * Event counts rebuilt with their names in sorted order: objects with the same names then share one
 * shape, about a third of the memory of the dictionary counting starts with. Counts already rebuilt
 * and given no new name since are kept (a store compacts what each commit wrote). "__proto__" is a
 * name only a dictionary holds as a plain key.
 */
function compactCounts(counts: Record<string, number>): Record<string, number> {
	const names = Object.keys(counts);
	if (names.length > MAX_COMPACT_NAMES || names.includes('__proto__')) return counts;
	let sorted = true;
	for (let i = 1; i < names.length && sorted; i++) sorted = names[i - 1] < names[i];
	if (sorted && Object.getPrototypeOf(counts) !== null) return counts;
	sortNames(names);
	const compact: Record<string, number> = {};
	for (const name of names) compact[name] = counts[name];
	return compact;
}

/** Sorts a few names in place (by UTF-16 code units, as Array.prototype.sort does), without the builtin's work arrays. */
function sortNames(names: string[]): void {
	for (let i = 1; i < names.length; i++) {
		const name = names[i];
		let at = i;
		while (at > 0 && names[at - 1] > name) {
			names[at] = names[at - 1];
			at--;
		}
		names[at] = name;
	}
}

/** Drops the spare room folding left in the activity's lists: call once the events at hand are folded. */
export function compactActivity(activity: Activity | undefined): void {
	if (activity === undefined) return;
	activity.eventCounts = compactCounts(activity.eventCounts);
	if (activity.days !== undefined) compactMeasure(activity.days);
	for (const key in activity.measures) {
		const slot = activity.measures[key];
		if (slot !== undefined) compactMeasure(slot);
	}
}

export function activeDayCount(activity: Activity): number {
	return activity.days?.count ?? 0;
}

export { utcDay };
