import { utcDay } from '../time';

/**
 * What one event rule keeps between events, as plain JSON. Every shape is bounded: windowed
 * shapes drop what aged out of the window, and lists keep at most the `keep` most recent entries
 * (sorted by time ascending, so the most recent sit at the end; per-day lists are bounded by
 * their window already).
 */

/** eventCount / everDid with a window: the matching events' timestamps. */
export interface RecentMatches {
	kind: 'recentMatches';
	times: number[];
}

/** eventCount / everDid over all time: a running count. */
export interface MatchTotal {
	kind: 'matchTotal';
	count: number;
	last: number;
}

/** activeDays with a window: per distinct UTC day, the latest matching event (a day counts while that event is in the window). */
export interface RecentDays {
	kind: 'recentDays';
	latest: number[];
}

/**
 * activeDays over all time (and the account's own active-day count): a running count of distinct
 * UTC days, with the most recent `keep` days listed so that repeated and late events are not counted
 * twice. `first` is the earliest day counted: a late event before it is always a new day.
 */
export interface DayTally {
	kind: 'dayTally';
	count: number;
	first: number;
	last: number;
	days: number[];
}

/** distinctUsers, with a window (recentUsers) or over all time (userTally): [userId, latest matching event], by time. */
export interface UserList {
	kind: 'recentUsers' | 'userTally';
	users: Array<[string, number]>;
}

export type MeasureState = RecentMatches | MatchTotal | RecentDays | DayTally | UserList;

/** Measure states that hold all-time facts, which no window will ever empty. */
export function holdsAllTimeFacts(state: MeasureState): boolean {
	if (state.kind === 'matchTotal' || state.kind === 'dayTally') return state.count > 0;
	return state.kind === 'userTally' && state.users.length > 0;
}

/** First index whose value is ≥ x (values sorted ascending). */
function lowerBound(values: readonly number[], x: number): number {
	let lo = 0;
	let hi = values.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (values[mid] < x) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** First index whose UTC day is ≥ day (times sorted ascending). */
function lowerBoundDay(times: readonly number[], day: number): number {
	let lo = 0;
	let hi = times.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (utcDay(times[mid]) < day) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** First index whose value is > x. */
function upperBound(values: readonly number[], x: number): number {
	let lo = 0;
	let hi = values.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (values[mid] <= x) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

function keepNewest<T>(list: T[], keep: number): void {
	if (list.length > keep) list.splice(0, list.length - keep);
}

/**
 * Inserts `value` at index `at` in place, keeping only the newest `keep` entries. An array grown in
 * place holds spare room (up to 16 more entries): compactMeasure trims it once the events at hand are folded.
 */
function insertAt<T>(list: T[], at: number, value: T, keep = Infinity): void {
	// Shifted by hand: splice allocates an array of what it removed, even when that is nothing.
	list.push(value);
	for (let i = list.length - 1; i > at; i--) list[i] = list[i - 1];
	list[at] = value;
	if (list.length > keep) list.splice(0, list.length - keep);
}

/** Drops the spare room of the measure's list (most of a state's memory otherwise). */
export function compactMeasure(state: MeasureState): void {
	switch (state.kind) {
		case 'recentMatches':
			state.times = state.times.slice();
			return;
		case 'recentDays':
			state.latest = state.latest.slice();
			return;
		case 'dayTally':
			state.days = state.days.slice();
			return;
		case 'recentUsers':
		case 'userTally':
			state.users = state.users.slice();
			return;
		default:
			return;
	}
}

export function addRecentMatch(state: RecentMatches | undefined, time: number, keep: number): RecentMatches {
	if (state === undefined) return { kind: 'recentMatches', times: [time] };
	insertAt(state.times, upperBound(state.times, time), time, keep);
	return state;
}

export function addMatchToTotal(state: MatchTotal | undefined, time: number): MatchTotal {
	if (state === undefined) return { kind: 'matchTotal', count: 1, last: time };
	state.count++;
	if (time > state.last) state.last = time;
	return state;
}

export function addRecentDay(state: RecentDays | undefined, time: number): RecentDays {
	if (state === undefined) return { kind: 'recentDays', latest: [time] };
	const latest = state.latest;
	const day = utcDay(time);
	const at = lowerBoundDay(latest, day);
	if (at < latest.length && utcDay(latest[at]) === day) {
		if (time > latest[at]) latest[at] = time;
	} else insertAt(latest, at, time);
	return state;
}

export function addDayToTally(state: DayTally | undefined, time: number, keep: number): DayTally {
	const day = utcDay(time);
	if (state === undefined) return { kind: 'dayTally', count: 1, first: day, last: time, days: [day] };
	if (time > state.last) state.last = time;
	const days = state.days;
	const at = lowerBound(days, day);
	if (at < days.length && days[at] === day) return state;
	const complete = days.length === state.count;
	if (day < state.first) {
		state.count++;
		state.first = day;
		if (complete) insertAt(days, 0, day, keep);
	} else if (complete || at > 0) {
		// Known to be new: the list holds every day from its first entry on.
		state.count++;
		insertAt(days, at, day, keep);
	}
	// else: a late event between the first day counted and the oldest day still listed, counted once already or not:
	// assumed counted. Exact whenever events arrive in order or the account has at most `keep` active days.
	return state;
}

export function addUser(state: UserList | undefined, kind: UserList['kind'], userId: string, time: number, keep: number): UserList {
	if (state === undefined) return { kind, users: [[userId, time]] };
	const users = state.users;
	let known = 0;
	while (known < users.length && users[known][0] !== userId) known++;
	if (known < users.length) {
		const entry = users[known];
		if (entry[1] >= time) return state;
		// Later than before: the entry moves towards the end, past every entry no later than it.
		entry[1] = time;
		let at = known;
		while (at + 1 < users.length && users[at + 1][1] <= time) {
			users[at] = users[at + 1];
			at++;
		}
		users[at] = entry;
		return state;
	}
	let at = users.length;
	while (at > 0 && users[at - 1][1] > time) at--;
	insertAt(users, at, [userId, time], keep);
	return state;
}

/** Drops what is older than `horizon` (the earliest time any window can still reach). */
export function pruneMeasure(state: MeasureState, horizon: number): void {
	switch (state.kind) {
		case 'recentMatches':
			return dropBefore(state.times, horizon);
		case 'recentDays':
			return dropBefore(state.latest, horizon);
		case 'recentUsers': {
			const users = state.users;
			let drop = 0;
			while (drop < users.length && users[drop][1] < horizon) drop++;
			if (drop > 0) users.splice(0, drop);
			return;
		}
		default:
			return;
	}
}

function dropBefore(times: number[], horizon: number): void {
	if (times.length === 0 || times[0] >= horizon) return;
	times.splice(0, lowerBound(times, horizon));
}

export interface MeasuredValue {
	value: number;
	/** The latest counted event, NaN when none: the age decay works on. */
	lastMatch: number;
}

/** The rule's measured value for the window [start, asOf] (start = −Infinity for all time). */
export function measureValue(state: MeasureState | undefined, start: number, asOf: number): MeasuredValue {
	if (state === undefined) return { value: 0, lastMatch: NaN };
	switch (state.kind) {
		case 'matchTotal':
		case 'dayTally':
			return { value: state.count, lastMatch: state.count > 0 ? state.last : NaN };
		case 'recentMatches':
			return countBetween(state.times, start, asOf);
		case 'recentDays':
			return countBetween(state.latest, start, asOf);
		case 'recentUsers':
		case 'userTally': {
			let value = 0;
			let lastMatch = NaN;
			for (const [, time] of state.users) {
				if (time < start || time > asOf) continue;
				value++;
				lastMatch = time;
			}
			return { value, lastMatch };
		}
	}
}

function countBetween(times: readonly number[], start: number, end: number): MeasuredValue {
	const from = lowerBound(times, start);
	const to = upperBound(times, end);
	const value = Math.max(0, to - from);
	return { value, lastMatch: value > 0 ? times[to - 1] : NaN };
}

export function cloneMeasure<T extends MeasureState>(state: T): T {
	return JSON.parse(JSON.stringify(state)) as T;
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
	const merged: number[] = [];
	let i = 0;
	let j = 0;
	while (i < a.length || j < b.length) {
		if (j >= b.length || (i < a.length && a[i] <= b[j])) merged.push(a[i++]);
		else merged.push(b[j++]);
	}
	return merged;
}

/** Latest time per UTC day, of both lists (each sorted, one entry per day). */
function mergeDayLatest(a: readonly number[], b: readonly number[]): number[] {
	const merged: number[] = [];
	for (const time of mergeSorted(a, b)) {
		const last = merged.length - 1;
		if (last >= 0 && utcDay(merged[last]) === utcDay(time)) merged[last] = Math.max(merged[last], time);
		else merged.push(time);
	}
	return merged;
}

/**
 * The measure of two disjoint sets of events (an account's own events and a user's unassigned
 * ones): what folding all of them into one state gives, within the same bounds. Returns a new state.
 */
export function mergeMeasure(a: MeasureState, b: MeasureState, keep: number): MeasureState {
	switch (a.kind) {
		case 'recentMatches': {
			const times = mergeSorted(a.times, (b as RecentMatches).times);
			keepNewest(times, keep);
			return { kind: 'recentMatches', times };
		}
		case 'matchTotal': {
			const other = b as MatchTotal;
			return { kind: 'matchTotal', count: a.count + other.count, last: Math.max(a.last, other.last) };
		}
		case 'recentDays':
			return { kind: 'recentDays', latest: mergeDayLatest(a.latest, (b as RecentDays).latest) };
		case 'dayTally': {
			const other = b as DayTally;
			const listed = new Set([...a.days, ...other.days]);
			const shared = a.days.length + other.days.length - listed.size;
			const days = [...listed].sort((x, y) => x - y);
			keepNewest(days, keep);
			return { kind: 'dayTally', count: a.count + other.count - shared, first: Math.min(a.first, other.first), last: Math.max(a.last, other.last), days };
		}
		case 'recentUsers':
		case 'userTally': {
			const latest = new Map<string, number>();
			for (const [user, time] of [...a.users, ...(b as UserList).users]) latest.set(user, Math.max(time, latest.get(user) ?? -Infinity));
			const users = [...latest].sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
			keepNewest(users, keep);
			return { kind: a.kind, users };
		}
	}
}
