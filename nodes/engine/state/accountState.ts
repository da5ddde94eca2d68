import type { PqlEvent } from '../events/model';
import type { CrossingMemory } from '../crossing';
import type { CompiledModel } from '../rules/compile';
import type { SubjectFeatures, SubjectSummary } from '../score';
import { DAY_MS } from '../time';
import {
	addDayToTally,
	addMatchToTotal,
	addRecentDay,
	addRecentMatch,
	addUser,
	holdsAllTimeFacts,
	measureValue,
	pruneMeasure,
	type DayTally,
	type MatchTotal,
	type MeasureState,
	type RecentDays,
	type RecentMatches,
	type UserList,
} from './measures';
import { joinPerson, learnAccountTraits, learnPerson, type AccountTraits, type PersonState } from './people';
import { KEPT_ACTIVE_DAYS, MAX_EVENT_NAMES, statePlan, type Measure, type StatePlan } from './statePlan';
import { signupTime, traitMatch } from '../traits';

/**
 * One account's streaming state: only what the model's rules need, bounded, plain JSON.
 * Scored as of any time at or after its latest event, it gives what EventAggregator gives for the
 * same events (see stateFeatures for the bounds).
 */
export interface AccountState {
	id: string;
	/** The model `rules` was measured for; slots a newer model no longer uses are dropped on its first event. */
	modelVersion: string;
	/** Epoch ms of the first and latest product event (track / page). */
	firstSeen?: number;
	lastSeen?: number;
	/** Distinct UTC days with a product event, all time. */
	activeDays?: DayTally;
	eventCounts: Record<string, number>;
	/** Per measure key (see Measure.key): what the event rules measure. */
	rules: Record<string, MeasureState>;
	accountTraits?: AccountTraits;
	people: PersonState[];
	crossing?: CrossingMemory;
}

/** Version of the AccountState JSON shape; stores stamp it and refuse shapes they do not know. */
export const STATE_FORMAT = 1;

/** Extra idle time an account's state is kept beyond its windows and cooldown. */
export const RETENTION_MARGIN_DAYS = 7;
/** How long idle accounts are kept when the model has all-time rules (everDid, rules without a window). */
export const ALL_TIME_RETENTION_DAYS = 365;

export function createAccountState(accountId: string, model: CompiledModel): AccountState {
	return { id: accountId, modelVersion: model.version, eventCounts: {}, rules: {}, people: [] };
}

function isProductEvent(event: PqlEvent): boolean {
	return event.kind === 'track' || event.kind === 'page';
}

function countEventName(counts: Record<string, number>, name: string): void {
	if (Object.prototype.hasOwnProperty.call(counts, name)) counts[name]++;
	else if (Object.keys(counts).length < MAX_EVENT_NAMES) {
		// defineProperty, so that a name like "__proto__" is counted instead of changing the object's prototype.
		Object.defineProperty(counts, name, { value: 1, writable: true, enumerable: true, configurable: true });
	}
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

/** Drops what every window has left behind: scores are only asked as of the latest event or later. */
function pruneWindows(plan: StatePlan, state: AccountState): void {
	const lastSeen = state.lastSeen!;
	for (const measure of plan.windowedMeasures) {
		const slot = state.rules[measure.key];
		if (slot !== undefined) pruneMeasure(slot, lastSeen - measure.windowMs);
	}
}

function adoptModel(plan: StatePlan, state: AccountState, version: string): void {
	const used = new Set(plan.measures.map((measure) => measure.key));
	for (const key of Object.keys(state.rules)) if (!used.has(key)) delete state.rules[key];
	state.modelVersion = version;
}

function countProductEvent(plan: StatePlan, state: AccountState, event: PqlEvent): void {
	const time = event.timestamp;
	const advanced = state.lastSeen === undefined || time > state.lastSeen;
	if (state.firstSeen === undefined || time < state.firstSeen) state.firstSeen = time;
	if (advanced) state.lastSeen = time;
	state.activeDays = addDayToTally(state.activeDays, time, KEPT_ACTIVE_DAYS);
	if (event.userId !== undefined) joinPerson(state.people, event.userId, time);
	countEventName(state.eventCounts, event.name);
	const lastSeen = state.lastSeen!;
	for (const measure of plan.measuresForEvent(event.name)) {
		// Older than the window as of the latest event: no later score can count it.
		if (time < lastSeen - measure.windowMs) continue;
		if (measure.matchesProperties !== undefined && !measure.matchesProperties(event.properties)) continue;
		if (measure.kind === 'users' && event.userId === undefined) continue;
		state.rules[measure.key] = recordMatch(measure, state.rules[measure.key], event);
	}
	if (advanced) pruneWindows(plan, state);
}

/**
 * Adds one event, already deduplicated and attributed to `accountId`, to the account's state
 * (created when `state` is undefined). Identify and group events only bring traits; account
 * traits count when the event names this account. Mutates and returns `state`.
 */
export function applyEvent(model: CompiledModel, state: AccountState | undefined, event: PqlEvent, accountId: string): AccountState {
	const plan = statePlan(model);
	const account = state ?? createAccountState(accountId, model);
	if (!Number.isFinite(event.timestamp)) return account;
	if (account.modelVersion !== model.version) adoptModel(plan, account, model.version);
	if (event.accountTraits !== undefined && event.accountId === accountId) {
		account.accountTraits = learnAccountTraits(account.accountTraits, event.accountTraits, event.timestamp, plan);
	}
	learnPerson(account.people, event, plan);
	if (isProductEvent(event)) countProductEvent(plan, account, event);
	return account;
}

function members(state: AccountState): PersonState[] {
	return state.people.filter((person) => person.member);
}

/**
 * What the model's rules measure for the account as of `asOf`, for scoreSubject. `asOf` must not be
 * before the account's latest event (windows were pruned as of that event). Exact as long as no
 * window held more matches, days or users than the bounds of statePlan.ts.
 */
export function stateFeatures(model: CompiledModel, state: AccountState, asOf: number): SubjectFeatures {
	const plan = statePlan(model);
	const count = model.rules.length;
	const values = new Array<number>(count);
	const lastMatch = new Array<number>(count).fill(NaN);
	const traitValues = new Array<unknown>(count);
	const people = members(state);
	const accountTraits = state.accountTraits?.values;
	for (const rule of model.rules) {
		const i = rule.index;
		const measure = plan.measureOfRule[i];
		if (measure !== undefined) {
			const measured = measureValue(state.rules[measure.key], asOf - rule.windowMs, asOf);
			values[i] = measured.value;
			lastMatch[i] = measured.lastMatch;
			continue;
		}
		switch (rule.type) {
			case 'inactiveDays':
				values[i] = state.lastSeen === undefined ? NaN : Math.floor((asOf - state.lastSeen) / DAY_MS);
				break;
			case 'daysSinceSignup':
				values[i] = Math.floor((asOf - signupTime(rule, accountTraits, people, state.firstSeen ?? NaN)) / DAY_MS);
				break;
			case 'trait': {
				const found = traitMatch(rule, accountTraits, people);
				values[i] = found.matched ? 1 : 0;
				traitValues[i] = found.value;
				break;
			}
			default:
				values[i] = NaN;
		}
	}
	return { values, lastMatch, traitValues };
}

/** Who and what the account is, for scoreSubject (account level). */
export function stateSummary(state: AccountState): SubjectSummary {
	const name = state.accountTraits?.values.name;
	return {
		level: 'account',
		id: state.id,
		name: typeof name === 'string' ? name : undefined,
		accountId: state.id,
		users: members(state).map((person) => ({ id: person.id, email: person.email })),
		firstSeen: state.firstSeen,
		lastSeen: state.lastSeen,
		activeDays: state.activeDays?.count ?? 0,
		eventCounts: { ...state.eventCounts },
	};
}

/** The account has done something a score can count (traits alone do not make a scored subject, as in the batch). */
export function hasActivity(state: AccountState): boolean {
	return state.lastSeen !== undefined;
}

/**
 * How long an idle account's state is worth keeping: until every window has emptied and the
 * cooldown has passed, plus a margin. Models with all-time rules keep it ALL_TIME_RETENTION_DAYS.
 */
export function stateRetentionMs(model: CompiledModel, cooldownDays: number, marginDays = RETENTION_MARGIN_DAYS): number {
	const windowMs = Number.isFinite(model.longestWindowMs) ? model.longestWindowMs : ALL_TIME_RETENTION_DAYS * DAY_MS;
	return windowMs + (cooldownDays + marginDays) * DAY_MS;
}

/**
 * An account may be forgotten when it has been idle longer than `retentionMs` (every window empty,
 * cooldown over) and holds nothing a window does not empty: no all-time counts, no traits. What is
 * lost then is its history summary (first seen, event counts) and crossing memory: it returns
 * armed, and a daysSinceSignup rule without a signup trait restarts from its next event.
 */
export function canForgetAccount(state: AccountState, now: number, retentionMs: number): boolean {
	const lastActive = Math.max(state.lastSeen ?? -Infinity, state.accountTraits?.at ?? -Infinity, ...state.people.map((person) => person.lastActive));
	if (!(now - lastActive > retentionMs)) return false;
	if (state.accountTraits !== undefined && Object.keys(state.accountTraits.values).length > 0) return false;
	if (state.people.some((person) => person.email !== undefined || (person.traits !== undefined && Object.keys(person.traits).length > 0))) return false;
	return !Object.values(state.rules).some(holdsAllTimeFacts);
}
