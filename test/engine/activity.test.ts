import type { PqlEvent } from '../../nodes/engine/events/model';
import { compileModel } from '../../nodes/engine/rules/compile';
import type { RuleConfig } from '../../nodes/engine/rules/schema';
import { compactActivity, emptyActivity, foldProductEvent, type Activity } from '../../nodes/engine/state/activity';
import { MAX_EVENT_NAMES, statePlan } from '../../nodes/engine/state/statePlan';

const T0 = Date.parse('2026-06-01T00:00:00.000Z');
const LOGINS: RuleConfig = { name: 'Logins', category: 'usage', type: 'eventCount', event: 'login', windowDays: 7, atLeast: 1, points: 1 };
const ACTIVE: RuleConfig = { name: 'Active', category: 'usage', type: 'activeDays', windowDays: 14, atLeast: 2, points: 1 };
const PLAN = statePlan(compileModel({ rules: [LOGINS, ACTIVE] }));

function track(name: string, timestamp = T0): PqlEvent {
	return { id: undefined, source: 'generic', kind: 'track', name, userId: 'ada', accountId: 'acme', email: undefined, timestamp, properties: {}, userTraits: undefined, accountTraits: undefined };
}

function foldNames(activity: Activity, names: string[]): void {
	for (const name of names) foldProductEvent(PLAN, activity, track(name));
}

const manyNames = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('Activity: event-name counts', () => {
	it(`counts at most ${MAX_EVENT_NAMES} distinct names; names already counted keep counting`, () => {
		const activity = emptyActivity(PLAN);
		foldNames(activity, manyNames('e', MAX_EVENT_NAMES + 50));
		foldNames(activity, ['e0', 'e0', 'e199', 'e250']);
		expect(Object.keys(activity.eventCounts)).toHaveLength(MAX_EVENT_NAMES);
		expect(activity.eventCounts.e0).toBe(3);
		expect(activity.eventCounts.e199).toBe(2);
		expect(activity.eventCounts.e250).toBeUndefined();
	});

	it('compacted counts keep their values, sorted by name; counting goes on after, "__proto__" and "toString" included', () => {
		const activity = emptyActivity(PLAN);
		foldNames(activity, ['zoom', 'login', 'login', 'export']);
		compactActivity(activity);
		expect(Object.entries(activity.eventCounts)).toEqual([['export', 1], ['login', 2], ['zoom', 1]]);
		foldNames(activity, ['toString', '__proto__', 'login']);
		expect(JSON.parse(JSON.stringify(activity.eventCounts))).toEqual({ export: 1, login: 3, zoom: 1, toString: 1, ['__proto__']: 1 });
		// Counts holding "__proto__" are kept as they are: rebuilt by assignment, the name would set the prototype.
		const holding = activity.eventCounts;
		compactActivity(activity);
		expect(activity.eventCounts).toBe(holding);
		expect(Object.keys(activity.eventCounts)).toContain('__proto__');
	});

	it('keeps the bound on counts restored from JSON (a plain object, with a prototype)', () => {
		const activity = emptyActivity(PLAN);
		foldNames(activity, manyNames('e', MAX_EVENT_NAMES - 2));
		const restored = JSON.parse(JSON.stringify(activity)) as Activity;
		expect(Object.keys(restored.eventCounts)).toHaveLength(MAX_EVENT_NAMES - 2);
		foldNames(restored, ['__proto__', 'toString', 'new-1', 'new-2', 'e0']);
		expect(Object.keys(restored.eventCounts)).toEqual([...manyNames('e', MAX_EVENT_NAMES - 2), '__proto__', 'toString']);
		expect(restored.eventCounts.e0).toBe(2);
		expect(Object.getPrototypeOf(restored.eventCounts)).toBe(Object.prototype);
	});

	it('does not show the cached name count to JSON, Object.keys or spreads', () => {
		const activity = emptyActivity(PLAN);
		foldNames(activity, ['login', 'export']);
		expect(JSON.parse(JSON.stringify(activity.eventCounts))).toEqual({ login: 1, export: 1 });
		expect(Object.keys({ ...activity.eventCounts })).toEqual(['login', 'export']);
	});
});

describe('Activity: measures', () => {
	it('starts with every measure key of the plan, undefined until an event feeds it; JSON leaves those out', () => {
		const activity = emptyActivity(PLAN);
		expect(Object.keys(activity.measures)).toEqual(PLAN.measures.map((measure) => measure.key));
		foldNames(activity, ['export']);
		const [logins, days] = PLAN.measures;
		expect(activity.measures[logins.key]).toBeUndefined();
		expect(activity.measures[days.key]).toEqual({ kind: 'recentDays', latest: [T0] });
		expect(Object.keys(JSON.parse(JSON.stringify(activity)).measures)).toEqual([days.key]);
	});
});
