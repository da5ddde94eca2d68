import { EventAggregator } from '../../nodes/engine/aggregate';
import { normalizeEvent } from '../../nodes/engine/events';
import { compileModel } from '../../nodes/engine/rules/compile';
import { RuleValidationError } from '../../nodes/engine/rules/validate';
import { DAY_MS } from '../../nodes/engine/time';
import { AS_OF, daysAgo, oneRule, repeat, scoreAll } from '../helpers/scoring';

const acme = (event: string, when: string, extra: Record<string, unknown> = {}) => ({
	userId: 'ada',
	accountId: 'acme',
	event,
	timestamp: when,
	...extra,
});

describe('event count rules', () => {
	const model = oneRule({ type: 'eventCount', event: 'export', windowDays: 7, atLeast: 2 });

	test('count events in the window and match at the minimum', () => {
		const { get } = scoreAll(model, [acme('export', daysAgo(1)), acme('export', daysAgo(6)), acme('login', daysAgo(1))]);
		expect(get('acme').matchedRules).toEqual([
			{ name: 'Rule under test', category: 'usage', points: 10, value: 2, reason: 'Rule under test: export 2 times in the last 7 days (+10)' },
		]);
	});

	test('an event exactly at the window start counts; one millisecond earlier does not', () => {
		const edge = new Date(AS_OF - 7 * DAY_MS).toISOString();
		const justOutside = new Date(AS_OF - 7 * DAY_MS - 1).toISOString();
		expect(scoreAll(model, [acme('export', daysAgo(0)), acme('export', edge)]).get('acme').score).toBe(10);
		expect(scoreAll(model, [acme('export', daysAgo(0)), acme('export', justOutside)]).get('acme').score).toBe(0);
	});

	test('events after the as-of time are ignored (no leakage)', () => {
		const future = new Date(AS_OF + 1).toISOString();
		const { get, stats } = scoreAll(model, [acme('export', daysAgo(1)), acme('export', future)]);
		expect(get('acme').score).toBe(0);
		expect(stats.afterAsOf).toBe(1);
	});

	test('property filters: every filter must hold', () => {
		const filtered = oneRule({
			type: 'eventCount',
			event: 'export',
			atLeast: 1,
			filters: [
				{ property: 'format', operator: 'oneOf', value: ['csv', 'xlsx'] },
				{ property: 'meta.rows', operator: 'gte', value: 100 },
			],
		});
		const events = [
			acme('export', daysAgo(1), { properties: { format: 'CSV', meta: { rows: 50 } } }),
			acme('export', daysAgo(1), { properties: { format: 'pdf', meta: { rows: 500 } } }),
		];
		expect(scoreAll(filtered, events).get('acme').score).toBe(0);
		events.push(acme('export', daysAgo(1), { properties: { format: 'xlsx', meta: { rows: 500 } } }));
		expect(scoreAll(filtered, events).get('acme').matchedRules[0].value).toBe(1);
	});

	test('several event names and * (any product event, not identify calls)', () => {
		const either = oneRule({ type: 'eventCount', event: ['a', 'b'], atLeast: 2 });
		expect(scoreAll(either, [acme('a', daysAgo(1)), acme('b', daysAgo(1))]).get('acme').score).toBe(10);
		const any = oneRule({ type: 'eventCount', event: '*', atLeast: 3 });
		const events = [acme('a', daysAgo(1)), acme('b', daysAgo(1)), { type: 'identify', userId: 'ada', timestamp: daysAgo(1), traits: { x: 1 } }];
		expect(scoreAll(any, events).get('acme').score).toBe(0);
		expect(scoreAll(any, [...events, acme('c', daysAgo(2))]).get('acme').score).toBe(10);
	});

	test('points per unit with a cap: 500 clicks do not make a PQL', () => {
		const perClick = oneRule({ type: 'eventCount', event: 'click', pointsPer: 'unit', points: 2, cap: 15 });
		expect(scoreAll(perClick, repeat(3, () => acme('click', daysAgo(1)))).get('acme').score).toBe(6);
		expect(scoreAll(perClick, repeat(500, () => acme('click', daysAgo(1)))).get('acme').score).toBe(15);
	});

	test('at most: a ceiling', () => {
		const few = oneRule({ type: 'eventCount', event: 'login', atLeast: 0, atMost: 2, category: 'negative', points: 5 });
		expect(scoreAll(few, [acme('login', daysAgo(1))]).get('acme').score).toBe(-5);
		expect(scoreAll(few, repeat(3, () => acme('login', daysAgo(1)))).get('acme').score).toBe(0);
	});
});

describe('other rule types', () => {
	test('ever did: all time, any age', () => {
		const model = oneRule({ type: 'everDid', event: 'integration_connected' });
		expect(scoreAll(model, [acme('integration_connected', daysAgo(400)), acme('x', daysAgo(1))]).get('acme').score).toBe(10);
		expect(scoreAll(model, [acme('x', daysAgo(1))]).get('acme').score).toBe(0);
	});

	test('active days counts distinct UTC days in the window', () => {
		const model = oneRule({ type: 'activeDays', windowDays: 14, atLeast: 3 });
		const sameDay = repeat(10, (n) => acme('x', daysAgo(1, n)));
		expect(scoreAll(model, sameDay).get('acme').matchedRules).toEqual([]);
		const threeDays = [acme('x', daysAgo(1)), acme('x', daysAgo(2)), acme('x', daysAgo(13)), acme('x', daysAgo(20))];
		expect(scoreAll(model, threeDays).get('acme').matchedRules[0].value).toBe(3);
	});

	test('distinct users of the account doing something', () => {
		const model = oneRule({ type: 'distinctUsers', event: 'dashboard_created', windowDays: 30, atLeast: 3 });
		const byUser = (userId: string) => ({ userId, accountId: 'acme', event: 'dashboard_created', timestamp: daysAgo(1) });
		expect(scoreAll(model, [byUser('a'), byUser('a'), byUser('b')]).get('acme').score).toBe(0);
		const result = scoreAll(model, [byUser('a'), byUser('b'), byUser('c')]).get('acme');
		expect(result.reasons).toEqual(['Rule under test: 3 users did dashboard_created in the last 30 days (+10)']);
	});

	test('days since last activity (negative)', () => {
		const model = oneRule({ type: 'inactiveDays', atLeast: 21, category: 'negative', points: 30 });
		expect(scoreAll(model, [acme('x', daysAgo(21))]).get('acme').reasons).toEqual(['Rule under test: no activity for 21 days (-30)']);
		expect(scoreAll(model, [acme('x', daysAgo(20, 23))]).get('acme').score).toBe(0);
	});

	test('days since signup from a trait, else the first event', () => {
		const model = oneRule({ type: 'daysSinceSignup', atMost: 14 });
		const withTrait = [acme('x', daysAgo(1)), { type: 'identify', userId: 'ada', timestamp: daysAgo(1), traits: { created_at: daysAgo(30) } }];
		expect(scoreAll(model, withTrait).get('acme').score).toBe(0);
		expect(scoreAll(model, [acme('x', daysAgo(10))]).get('acme').matchedRules[0].value).toBe(10);
	});

	test.each([
		['equals', 'SaaS', 'saas', true],
		['equals', 'SaaS', 'Fintech', false],
		['notEquals', 'SaaS', 'Fintech', true],
		['oneOf', ['SaaS', 'Fintech'], 'fintech', true],
		['oneOf', 'SaaS, Fintech', 'Retail', false],
		['gte', 50, '120', true],
		['gte', 50, 49, false],
		['lte', 50, 50, true],
		['between', '50..1000', 1000, true],
		['between', [50, 1000], 1001, false],
		['contains', 'soft', 'Software', true],
		['exists', undefined, '', false],
		['exists', undefined, 'x', true],
		['notExists', undefined, undefined, true],
		['emailDomainIn', 'acme.io, globex.com', 'Ada@mail.ACME.io', true],
		['emailDomainIn', ['acme.io'], 'ada@notacme.io', false],
	])('trait %s %j against %j → %s', (operator, value, actual, matched) => {
		const model = oneRule({ type: 'trait', scope: 'account', trait: 'x', operator: operator as never, value });
		const events = [acme('e', daysAgo(1)), { type: 'group', accountId: 'acme', timestamp: daysAgo(2), traits: { x: actual } }];
		expect(scoreAll(model, events).get('acme').score).toBe(matched ? 10 : 0);
	});

	test('user-scope traits match when any user of the account matches', () => {
		const model = oneRule({ type: 'trait', scope: 'user', trait: 'role', operator: 'oneOf', value: ['CTO'], reason: 'Has a {actual}' });
		const events = [
			{ userId: 'a', accountId: 'acme', event: 'x', timestamp: daysAgo(1), traits: { role: 'Designer' } },
			{ userId: 'b', accountId: 'acme', event: 'x', timestamp: daysAgo(1), traits: { role: 'CTO' } },
		];
		expect(scoreAll(model, events).get('acme').reasons).toEqual(['Has a CTO (+10)']);
	});
});

describe('decay', () => {
	test('half-life halves points per half-life since the latest matching event', () => {
		const model = oneRule({ type: 'everDid', event: 'pricing', points: 20, decay: { mode: 'halfLife', days: 7 } });
		expect(scoreAll(model, [acme('pricing', daysAgo(0))]).get('acme').score).toBe(20);
		const week = scoreAll(model, [acme('pricing', daysAgo(7))]).get('acme');
		expect(week.score).toBe(10);
		expect(week.reasons).toEqual(['Rule under test: pricing (+10, decayed from +20)']);
		expect(scoreAll(model, [acme('pricing', daysAgo(14)), acme('pricing', daysAgo(30))]).get('acme').score).toBe(5);
	});

	test('linear decay reaches zero at its lifespan', () => {
		const model = oneRule({ type: 'everDid', event: 'pricing', points: 20, decay: { mode: 'linear', days: 10 } });
		expect(scoreAll(model, [acme('pricing', daysAgo(5))]).get('acme').score).toBe(10);
		expect(scoreAll(model, [acme('pricing', daysAgo(12))]).get('acme').score).toBe(0);
	});
});

describe('modes and tiers', () => {
	const rules = [
		{ name: 'Setup', category: 'usage', type: 'everDid', event: 'setup_completed', points: 10 },
		{ name: 'Core features', category: 'usage', type: 'distinctUsers', event: 'core', atLeast: 2, points: 10 },
		{ name: 'Returns', category: 'usage', type: 'activeDays', windowDays: 14, atLeast: 3, points: 10 },
		{ name: 'Segment', category: 'fit', type: 'trait', trait: 'segment', operator: 'equals', value: 'mid-market', points: 10 },
		{ name: 'Competitor', category: 'negative', type: 'trait', trait: 'competitor', operator: 'exists', points: 100 },
	] as const;
	const allCriteria = { mode: 'allCriteria' as const, rules: rules.map((rule) => ({ ...rule })) };
	const base = [
		{ type: 'group', accountId: 'acme', timestamp: daysAgo(30), traits: { segment: 'Mid-Market' } },
		{ userId: 'a', accountId: 'acme', event: 'setup_completed', timestamp: daysAgo(20) },
		{ userId: 'a', accountId: 'acme', event: 'core', timestamp: daysAgo(1) },
		{ userId: 'b', accountId: 'acme', event: 'core', timestamp: daysAgo(2) },
	];

	test('all criteria: a PQL only when every positive rule matches', () => {
		expect(scoreAll(allCriteria, base).get('acme').isPql).toBe(false);
		const third = { userId: 'a', accountId: 'acme', event: 'x', timestamp: daysAgo(5) };
		const result = scoreAll(allCriteria, [...base, third]).get('acme');
		expect(result.isPql).toBe(true);
		expect(result.score).toBe(40);
	});

	test('all criteria: a matching negative rule disqualifies', () => {
		const events = [...base, { userId: 'a', accountId: 'acme', event: 'x', timestamp: daysAgo(5) }, { type: 'group', accountId: 'acme', timestamp: daysAgo(1), traits: { competitor: 'yes' } }];
		expect(scoreAll(allCriteria, events).get('acme').isPql).toBe(false);
	});

	test('custom tiers; scores below every tier get none', () => {
		const model = { tiers: [{ name: 'A', minScore: 20 }, { name: 'B', minScore: 10 }], rules: [{ name: 'x', category: 'usage', type: 'eventCount', event: 'x', pointsPer: 'unit', points: 5 }] };
		const tierOf = (count: number) => scoreAll(model as never, repeat(count, () => acme('x', daysAgo(1)))).get('acme').tier;
		expect([tierOf(4), tierOf(3), tierOf(2), tierOf(1)]).toEqual(['A', 'B', 'B', null]);
	});
});

describe('accounts and users', () => {
	const model = oneRule({ type: 'eventCount', event: 'x', atLeast: 3 });

	test('account roll-up adds up the behaviour of all users', () => {
		const events = ['a', 'b', 'c'].map((userId) => ({ userId, accountId: 'acme', event: 'x', timestamp: daysAgo(1) }));
		const { get, results } = scoreAll(model, events);
		expect(results).toHaveLength(1);
		expect(get('acme').score).toBe(10);
		expect(get('acme').userCount).toBe(3);
	});

	test('per-user scoring keeps users apart and names their account', () => {
		const events = ['a', 'b', 'c'].map((userId) => ({ userId, accountId: 'acme', event: 'x', timestamp: daysAgo(1) }));
		const { results, get } = scoreAll(model, events, { level: 'user' });
		expect(results.map((result) => result.id).sort()).toEqual(['a', 'b', 'c']);
		expect(get('a')).toMatchObject({ level: 'user', score: 0, accountId: 'acme' });
	});

	test('a user linked to an account later (group call) brings earlier events along', () => {
		const events = [
			{ userId: 'a', event: 'x', timestamp: daysAgo(3) },
			{ userId: 'a', event: 'x', timestamp: daysAgo(2) },
			{ userId: 'a', event: 'x', timestamp: daysAgo(1) },
			{ type: 'group', userId: 'a', accountId: 'acme', timestamp: daysAgo(1), traits: { name: 'Acme' } },
		];
		expect(scoreAll(model, events).get('acme').score).toBe(10);
	});

	test('company e-mail domains form accounts; personal domains never do', () => {
		const events = [
			{ userId: 'a', email: 'a@Globex.com', event: 'x', timestamp: daysAgo(1) },
			{ userId: 'b', event: 'x', timestamp: daysAgo(1), traits: { email: 'b@globex.com' } },
			{ userId: 'b', event: 'x', timestamp: daysAgo(1) },
			{ userId: 'c', email: 'c@gmail.com', event: 'x', timestamp: daysAgo(1) },
		];
		const { results, get, stats } = scoreAll(model, events);
		expect(results.map((result) => result.id)).toEqual(['globex.com']);
		expect(get('globex.com').users).toEqual([
			{ id: 'a', email: 'a@globex.com' },
			{ id: 'b', email: 'b@globex.com' },
		]);
		expect(stats.unassigned).toBe(1);
	});

	test('account source "group" ignores e-mail domains; "emailDomain" ignores groups', () => {
		const events = [
			{ userId: 'a', email: 'a@globex.com', event: 'x', timestamp: daysAgo(1) },
			{ userId: 'b', email: 'b@initech.com', accountId: 'acme', event: 'x', timestamp: daysAgo(1) },
		];
		expect(scoreAll(model, events, { accountFrom: 'group' }).results.map((r) => r.id)).toEqual(['acme']);
		expect(scoreAll(model, events, { accountFrom: 'emailDomain' }).results.map((r) => r.id).sort()).toEqual(['globex.com', 'initech.com']);
	});

	test('repeated event ids count once', () => {
		const events = repeat(3, () => ({ id: 'msg-1', userId: 'a', accountId: 'acme', event: 'x', timestamp: daysAgo(1) }));
		const { get, stats } = scoreAll(model, events);
		expect(get('acme').eventCounts).toEqual({ x: 1 });
		expect(stats.duplicates).toBe(2);
	});

	test('copies of an event count once wherever they sit in the input; no event is taken after scoring', () => {
		const model = oneRule({ type: 'eventCount', event: 'x' });
		const copy = { id: 'msg-1', userId: 'a', accountId: 'acme', event: 'x', timestamp: daysAgo(1) };
		const others = repeat(40, (n) => ({ id: `other-${n}`, userId: `u${n}`, accountId: `acct-${n % 7}`, event: 'x', timestamp: daysAgo(2) }));
		const aggregator = new EventAggregator(compileModel(model), { asOf: AS_OF, level: 'account' });
		for (const event of [copy, ...others.slice(0, 20), copy, ...others.slice(20), copy]) aggregator.add(normalizeEvent(event, 'auto'));
		expect(aggregator.stats.duplicates).toBe(2);
		expect(aggregator.finish().find((result) => result.id === 'acme')?.eventCounts).toEqual({ x: 1 });
		expect(() => aggregator.add(normalizeEvent(copy, 'auto'))).toThrow('added after the scores were asked for');
	});

	test('summary fields: first / last seen, active days, counts per event', () => {
		const events = [acme('a', daysAgo(5)), acme('b', daysAgo(1)), acme('a', daysAgo(1))];
		expect(scoreAll(model, events).get('acme')).toMatchObject({
			firstSeen: daysAgo(5),
			lastSeen: daysAgo(1),
			activeDays: 2,
			eventCounts: { a: 2, b: 1 },
		});
	});
});

describe('model validation', () => {
	const issues = (model: unknown): string[] => {
		try {
			compileModel(model);
		} catch (error) {
			expect(error).toBeInstanceOf(RuleValidationError);
			return (error as RuleValidationError).issues.map((issue) => `${issue.ruleName ?? '-'}|${issue.field}|${issue.message}`);
		}
		throw new Error('expected a validation error');
	};

	test('errors name the rule and the field', () => {
		expect(
			issues({
				rules: [
					{ name: 'Logins', category: 'usage', type: 'eventCount', event: 'login', points: 'ten', atLeast: -1 },
					{ name: 'Fit', category: 'fitness', type: 'trait', trait: 'x', operator: 'between', value: '9..1', points: 1 },
					{ name: 'Typo', category: 'usage', type: 'everDid', event: 'x', points: 1, atleast: 2, windowDays: 7 },
				],
			}),
		).toEqual([
			'Logins|points|must be a number, got "ten"',
			'Logins|atLeast|must be at least 0, got -1',
			'Fit|category|must be one of "usage", "fit", "intent", "negative", got "fitness"',
			'Fit|value|must be a range like [50, 1000] or "50..1000", got "9..1"',
			'Typo|atleast|unknown field (did you mean "atLeast"?)',
			'Typo|windowDays|an "everDid" rule looks at all time; use "eventCount" for a window',
		]);
	});

	test('the message reads as one sentence per problem', () => {
		expect(() => compileModel({ rules: [{ name: 'Logins', category: 'usage', type: 'eventCount', points: 1, windowDays: 0 }] })).toThrow(
			'Rule 1 "Logins", field "windowDays": must be greater than 0, got 0',
		);
	});

	test('model-level problems', () => {
		expect(issues({ rules: [], threshold: 'high', mode: 'some' })).toEqual([
			'-|mode|must be "points" or "allCriteria", got "some"',
			'-|threshold|must be a number, got "high"',
			'-|rules|must be a non-empty list of rules',
		]);
		expect(issues({ tiers: [{ name: 'a', minScore: null }, { name: 'b' }], rules: [{ name: 'x', category: 'usage', type: 'everDid', points: 1 }] })).toEqual([
			'-|tiers|only one tier can have no minimum score',
		]);
	});

	test('duplicate names, missing trait, operator without value, filter problems', () => {
		expect(
			issues({
				rules: [
					{ name: 'A', category: 'fit', type: 'trait', operator: 'equals', points: 1 },
					{ name: 'a', category: 'usage', type: 'eventCount', points: 1, filters: [{ property: '', operator: 'gte', value: 'x' }] },
				],
			}),
		).toEqual([
			'A|trait|is required',
			'A|value|is required for the "equals" operator',
			'a|name|another rule has the same name; names must be unique',
			'a|filters[0].property|is required',
			'a|filters[0].value|must be a number for "gte", got "x"',
		]);
	});

	test('the model version changes with the rules and only with them', () => {
		const rule = { name: 'x', category: 'usage', type: 'everDid', points: 1 };
		const a = compileModel({ rules: [rule] }).version;
		expect(compileModel({ rules: [{ points: 1, type: 'everDid', category: 'usage', name: 'x' }] }).version).toBe(a);
		expect(compileModel({ rules: [{ ...rule, points: 2 }] }).version).not.toBe(a);
	});
});

describe('dedupe at scale', () => {
	test('repeats are found among many events of one account, whatever their timestamps', () => {
		const model = oneRule({ type: 'eventCount', event: 'x' });
		const events = repeat(200, (n) => ({ id: `e-${n % 150}`, userId: 'a', accountId: 'acme', event: 'x', timestamp: daysAgo(n % 7, n) }));
		const { get, stats } = scoreAll(model, events);
		expect(get('acme').eventCounts).toEqual({ x: 150 });
		expect(stats.duplicates).toBe(50);
	});

	test('verdicts (scores without reasons) agree with the full results', () => {
		const model = oneRule({ type: 'eventCount', event: 'x', pointsPer: 'unit', points: 2, cap: 9 });
		const events = repeat(30, (n) => ({ userId: `u${n % 3}`, accountId: `acct-${n % 4}`, event: 'x', timestamp: daysAgo(n % 5) }));
		const aggregator = new EventAggregator(compileModel(model), { asOf: AS_OF, level: 'account' });
		for (const raw of events) aggregator.add(normalizeEvent(raw, 'auto'));
		const verdicts = aggregator.verdicts().map(({ id, score, tier, isPql }) => ({ id, score, tier, isPql }));
		expect(verdicts).toEqual(scoreAll(model, events).results.map(({ id, score, tier, isPql }) => ({ id, score, tier, isPql })));
		expect(verdicts.map((verdict) => verdict.score)).toEqual([9, 9, 9, 9]);
	});
});
