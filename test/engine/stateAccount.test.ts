import { EventAggregator } from '../../nodes/engine/aggregate';
import type { EventKind, PqlEvent } from '../../nodes/engine/events/model';
import { compileModel, type CompiledModel } from '../../nodes/engine/rules/compile';
import type { ModelConfig, RuleConfig } from '../../nodes/engine/rules/schema';
import { scoreSubject, type ScoreResult } from '../../nodes/engine/score';
import {
	applyEvent,
	canForgetAccount,
	stateFeatures,
	stateRetentionMs,
	stateSummary,
	type AccountState,
} from '../../nodes/engine/state/accountState';
import { MAX_KEPT_PEOPLE, MIN_KEPT_MATCHES, MIN_KEPT_USERS } from '../../nodes/engine/state/statePlan';
import { DAY_MS } from '../../nodes/engine/time';

const T0 = Date.parse('2026-06-01T12:00:00.000Z');
const HOUR_MS = 3_600_000;

let nextId = 0;
function track(name: string, timestamp: number, fields: Partial<PqlEvent> = {}): PqlEvent {
	return at('track', { name, timestamp, userId: 'ada', accountId: 'acme', ...fields });
}

function at(kind: EventKind, fields: Partial<PqlEvent> & { timestamp: number }): PqlEvent {
	return {
		id: `e${nextId++}`,
		source: 'generic',
		kind,
		name: kind === 'identify' ? '$identify' : kind === 'group' ? '$group' : 'event',
		userId: undefined,
		accountId: 'acme',
		email: undefined,
		properties: {},
		userTraits: undefined,
		accountTraits: undefined,
		...fields,
	};
}

function rule(fields: Partial<RuleConfig> & Pick<RuleConfig, 'type'>): RuleConfig {
	return { name: 'Rule under test', category: 'usage', points: 10, ...fields } as RuleConfig;
}

function model(...rules: RuleConfig[]): CompiledModel {
	return compileModel({ rules } satisfies ModelConfig);
}

function stream(compiled: CompiledModel, events: PqlEvent[], start?: AccountState): AccountState {
	let state = start;
	for (const each of events) state = applyEvent(compiled, state, each, each.accountId ?? 'acme');
	return state!;
}

function streamScore(compiled: CompiledModel, state: AccountState, asOf: number): ScoreResult {
	return scoreSubject(compiled, stateSummary(state), stateFeatures(compiled, state, asOf), asOf);
}

function batchScore(compiled: CompiledModel, events: PqlEvent[], asOf: number): ScoreResult | undefined {
	const aggregator = new EventAggregator(compiled, { asOf, level: 'account' });
	for (const each of events) aggregator.add(each);
	return aggregator.finish().find((result) => result.id === 'acme');
}

const LOGINS = rule({ type: 'eventCount', event: 'login', windowDays: 7, atLeast: 5 });

describe('windows', () => {
	const compiled = model(LOGINS);

	test('include their start to the millisecond and nothing before it', () => {
		const events = [track('login', T0), ...[1, 2, 3, 4].map((n) => track('login', T0 + n * DAY_MS))];
		const state = stream(compiled, events);
		const onTheEdge = T0 + 7 * DAY_MS;
		expect(stateFeatures(compiled, state, onTheEdge).values[0]).toBe(5);
		expect(stateFeatures(compiled, state, onTheEdge + 1).values[0]).toBe(4);
		expect(streamScore(compiled, state, onTheEdge)).toEqual(batchScore(compiled, events, onTheEdge));
	});

	test('a late event exactly a window before the latest one is kept; one a millisecond older is not', () => {
		const latest = T0 + 10 * DAY_MS;
		const events = [track('login', latest), track('login', latest - 7 * DAY_MS), track('login', latest - 7 * DAY_MS - 1)];
		const state = stream(compiled, events);
		expect(stateFeatures(compiled, state, latest).values[0]).toBe(2);
		expect(stateFeatures(compiled, state, latest).values[0]).toBe(batchScore(compiled, events, latest)!.unmatchedRules[0].value);
	});

	test('a late event too old for the window still counts for all-time rules and the summary', () => {
		const compiledBoth = model(LOGINS, rule({ name: 'Ever logged in', type: 'everDid', event: 'login' }));
		const events = [track('login', T0 + 30 * DAY_MS), track('login', T0)];
		const state = stream(compiledBoth, events);
		expect(stateFeatures(compiledBoth, state, T0 + 30 * DAY_MS).values).toEqual([1, 2]);
		expect(state.firstSeen).toBe(T0);
		expect(streamScore(compiledBoth, state, T0 + 30 * DAY_MS)).toEqual(batchScore(compiledBoth, events, T0 + 30 * DAY_MS));
	});

	test('what aged out of every window is pruned as newer events arrive', () => {
		const events = Array.from({ length: 60 }, (_, n) => track('login', T0 + n * DAY_MS));
		const state = stream(compiled, events);
		expect(Object.values(state.rules)).toEqual([{ kind: 'recentMatches', times: events.slice(-8).map((each) => each.timestamp) }]);
	});
});

describe('bounds: counts are exact up to what a rule needs (at least 100), decisions always', () => {
	test(`a burst of logins keeps the ${MIN_KEPT_MATCHES} most recent: the value shown stops there, the points do not change`, () => {
		const compiled = model(LOGINS);
		const events = Array.from({ length: 150 }, (_, n) => track('login', T0 + n * HOUR_MS));
		const asOf = T0 + 150 * HOUR_MS;
		const state = stream(compiled, events);
		const streamed = streamScore(compiled, state, asOf);
		const batch = batchScore(compiled, events, asOf)!;
		expect(streamed.matchedRules[0].value).toBe(100);
		expect(batch.matchedRules[0].value).toBe(150);
		expect(streamed.score).toBe(batch.score);
		expect(streamed.isPql).toBe(batch.isPql);
	});

	test('a rule that must tell 150 from 151 (atMost 150) keeps 151, and is exact', () => {
		const compiled = model(rule({ type: 'eventCount', event: 'login', windowDays: 30, atMost: 150, category: 'negative' }));
		for (const count of [150, 151, 170]) {
			const events = Array.from({ length: count }, (_, n) => track('login', T0 + n * HOUR_MS));
			const asOf = T0 + count * HOUR_MS;
			expect(streamScore(compiled, stream(compiled, events), asOf).score).toBe(batchScore(compiled, events, asOf)!.score);
		}
	});

	test('a per-unit rule keeps enough units to reach its cap', () => {
		const compiled = model(rule({ type: 'eventCount', event: 'api_call', windowDays: 30, pointsPer: 'unit', points: 0.5, cap: 120 }));
		const events = Array.from({ length: 260 }, (_, n) => track('api_call', T0 + n * HOUR_MS));
		const asOf = T0 + 260 * HOUR_MS;
		const state = stream(compiled, events);
		expect(Object.values(state.rules)[0]).toMatchObject({ times: expect.any(Array) });
		expect((Object.values(state.rules)[0] as { times: number[] }).times).toHaveLength(240);
		expect(streamScore(compiled, state, asOf).score).toBe(120);
		expect(batchScore(compiled, events, asOf)!.score).toBe(120);
	});

	test(`distinct users are kept up to ${MIN_KEPT_USERS}, the most recently active`, () => {
		const compiled = model(rule({ type: 'distinctUsers', windowDays: 30, atLeast: 3 }));
		const events = Array.from({ length: MIN_KEPT_USERS + 50 }, (_, n) => track('login', T0 + n * 60_000, { userId: `user${n}` }));
		const state = stream(compiled, events);
		const features = stateFeatures(compiled, state, T0 + DAY_MS);
		expect(features.values[0]).toBe(MIN_KEPT_USERS);
		expect(features.lastMatch[0]).toBe(events[events.length - 1].timestamp);
	});

	test(`people are kept up to ${MAX_KEPT_PEOPLE} per account, the least recently active forgotten first`, () => {
		const compiled = model(LOGINS);
		const events = Array.from({ length: MAX_KEPT_PEOPLE + 5 }, (_, n) => track('login', T0 + n * 1000, { userId: `user${n}` }));
		const state = stream(compiled, events);
		expect(state.people).toHaveLength(MAX_KEPT_PEOPLE);
		expect(state.people[0].id).toBe('user5');
	});

	test('all-time active days stay exact for late events while the account has at most 100 active days', () => {
		const compiled = model(rule({ type: 'activeDays', atLeast: 10 }));
		const days = Array.from({ length: 90 }, (_, n) => track('login', T0 + n * DAY_MS));
		const late = [track('login', T0 + 3 * DAY_MS + HOUR_MS), track('login', T0 - 5 * DAY_MS)];
		const state = stream(compiled, [...days, ...late]);
		const asOf = T0 + 90 * DAY_MS;
		expect(stateFeatures(compiled, state, asOf).values[0]).toBe(91);
		expect(stateSummary(state).activeDays).toBe(91);
	});

	test('beyond 100 active days a late event on an unlisted old day is taken as counted already (documented approximation)', () => {
		const compiled = model(rule({ type: 'activeDays', atLeast: 10 }));
		const everyOtherDay = Array.from({ length: 150 }, (_, n) => track('login', T0 + 2 * n * DAY_MS));
		const state = stream(compiled, [...everyOtherDay, track('login', T0 + DAY_MS), track('login', T0 - DAY_MS)]);
		// T0 + 1 day was a new day (the batch says 152); T0 − 1 day precedes the first day seen, so it is surely new.
		expect(state.activeDays!.count).toBe(151);
	});
});

describe('what the state keeps', () => {
	test('only the traits rules read, plus e-mail and name; nested paths keep their top-level key', () => {
		const compiled = model(
			rule({ type: 'trait', trait: 'plan.tier', operator: 'equals', value: 'trial' }),
			rule({ name: 'Role', type: 'trait', scope: 'user', trait: 'role', operator: 'exists' }),
		);
		const state = stream(compiled, [
			at('group', { timestamp: T0, accountTraits: { name: 'Acme', plan: { tier: 'trial', seats: 3 }, industry: 'SaaS', logo: 'x'.repeat(5000) } }),
			at('identify', { timestamp: T0, userId: 'ada', accountId: undefined, email: 'ada@acme.io', userTraits: { role: 'CTO', avatar: 'y'.repeat(5000), email: 'ada@acme.io' } }),
		]);
		expect(state.accountTraits!.values).toEqual({ name: 'Acme', plan: { tier: 'trial', seats: 3 } });
		expect(state.people).toEqual([{ id: 'ada', member: false, lastActive: T0, email: 'ada@acme.io', traits: { role: 'CTO', email: 'ada@acme.io' }, traitsAt: T0 }]);
	});

	test('people join (and are listed) in the order of their first product event, not of their identify call', () => {
		const compiled = model(LOGINS);
		const state = stream(compiled, [
			at('identify', { timestamp: T0, userId: 'bob', email: 'bob@acme.io' }),
			track('login', T0 + 1, { userId: 'ada' }),
			track('login', T0 + 2, { userId: 'bob' }),
			at('identify', { timestamp: T0 + 3, userId: 'cy', email: 'cy@acme.io' }),
		]);
		expect(stateSummary(state).users).toEqual([
			{ id: 'ada', email: undefined },
			{ id: 'bob', email: 'bob@acme.io' },
		]);
	});

	test('rules measuring the same thing share one slot', () => {
		const compiled = model(LOGINS, { ...LOGINS, name: 'Many logins', atLeast: 20, points: 30 });
		const state = stream(compiled, [track('login', T0)]);
		expect(Object.keys(state.rules)).toHaveLength(1);
		expect(stateFeatures(compiled, state, T0).values).toEqual([1, 1]);
	});

	test('a new model keeps what still measures the same thing (points changed) and drops the rest', () => {
		const before = model(LOGINS, rule({ name: 'Exports', type: 'eventCount', event: 'export', windowDays: 30 }));
		const state = stream(before, [track('login', T0), track('export', T0)]);
		const after = model({ ...LOGINS, points: 25 }, rule({ name: 'Exports', type: 'eventCount', event: 'export', windowDays: 14 }));
		stream(after, [track('login', T0 + 1)], state);
		expect(state.modelVersion).toBe(after.version);
		expect(stateFeatures(after, state, T0 + 1).values).toEqual([2, 0]);
	});

	test('event names are counted safely, "__proto__" included', () => {
		const state = stream(model(LOGINS), [track('__proto__', T0), track('__proto__', T0 + 1), track('login', T0 + 2)]);
		expect(stateSummary(state).eventCounts).toEqual(JSON.parse('{"__proto__": 2, "login": 1}'));
		expect(Object.getPrototypeOf(state.eventCounts)).toBe(Object.prototype);
	});

	test('identify and group events alone do not make an account scored, and events without a valid time are ignored', () => {
		const compiled = model(LOGINS);
		const state = stream(compiled, [at('group', { timestamp: T0, accountTraits: { name: 'Acme' } }), track('login', NaN)]);
		expect(state.lastSeen).toBeUndefined();
		expect(state.eventCounts).toEqual({});
	});

	test('a year of steady use stays small', () => {
		const compiled = compileModel({
			rules: [
				LOGINS,
				rule({ name: 'Active days', type: 'activeDays', windowDays: 60, atMost: 2, category: 'negative' }),
				rule({ name: 'Team', type: 'distinctUsers', windowDays: 14, atLeast: 3 }),
				rule({ name: 'Ever exported', type: 'everDid', event: 'export' }),
			],
		});
		const events = Array.from({ length: 50_000 }, (_, n) =>
			track(n % 10 === 0 ? 'export' : 'login', T0 + n * 10 * 60_000, { userId: `user${n % 40}` }),
		);
		const size = JSON.stringify(stream(compiled, events)).length;
		expect(size).toBeLessThan(12_000);
	});
});

describe('retention', () => {
	const compiled = model(LOGINS, rule({ name: 'Ever exported', type: 'everDid', event: 'export' }));

	test('keeps an idle account for its longest window + cooldown + a margin; a year when rules look at all time', () => {
		expect(stateRetentionMs(model(LOGINS), 3)).toBe((7 + 3 + 7) * DAY_MS);
		expect(stateRetentionMs(compiled, 3)).toBe((365 + 3 + 7) * DAY_MS);
	});

	test('an idle account is forgotten only when it holds nothing a window does not empty', () => {
		const retention = stateRetentionMs(model(LOGINS), 0);
		const idle = stream(compiled, [track('login', T0)]);
		expect(canForgetAccount(idle, T0 + retention, retention)).toBe(false);
		expect(canForgetAccount(idle, T0 + retention + 1, retention)).toBe(true);
		const exported = stream(compiled, [track('export', T0)]);
		expect(canForgetAccount(exported, T0 + 10 * retention, retention)).toBe(false);
		const withTraits = stream(compiled, [track('login', T0, { accountTraits: { name: 'Acme' } })]);
		expect(canForgetAccount(withTraits, T0 + 10 * retention, retention)).toBe(false);
	});
});
