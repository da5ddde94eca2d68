import { compileModel } from '../../nodes/engine/rules/compile';
import { PRESETS } from '../../nodes/engine/rules/presets';
import type { RuleConfig } from '../../nodes/engine/rules/schema';
import { ruleFromUi, ruleToUi } from '../../nodes/shared/scoringModel';
import { AS_OF, daysAgo, oneRule, repeat, scoreAll } from '../helpers/scoring';

const login = (n: number, days = 1) => ({ userId: 'u1', accountId: 'acme', event: 'user_logged_in', timestamp: daysAgo(days, n), id: `l${n}-${days}` });

describe('rule defects of issue 6', () => {
	test('a rule with only atMost ("did not do X") matches 0 events and keeps 0 as its floor', () => {
		const model = oneRule({ type: 'eventCount', event: 'teammate_invited', atMost: 0, windowDays: 14 });
		const { get } = scoreAll(model, [login(0)]);
		expect(get('acme').score).toBe(10);
		expect(compileModel(model).rules[0].atLeast).toBe(-Infinity);
	});

	test('"Old Signup, Little Use" needs an old signup: a brand-new account with one login loses nothing', () => {
		const model = PRESETS.workedExampleWithNegatives;
		const fresh = scoreAll(model, [login(0)]).get('acme');
		expect(fresh.reasons.join(' ')).not.toMatch(/Active on only/);
		const old = scoreAll(model, [
			{ type: 'identify', userId: 'u1', accountId: 'acme', timestamp: daysAgo(90), traits: { createdAt: daysAgo(90) }, id: 'i1' },
			login(0),
		]).get('acme');
		expect(old.reasons).toContain('Active on only 1 day in the last 60 days (-20)');
	});

	test('cap bounds negative points too: -5 per unit, cap 10, 10 events gives -10', () => {
		const model = oneRule({ type: 'eventCount', category: 'negative', event: 'error_shown', points: 5, pointsPer: 'unit', cap: 10, windowDays: 30 });
		const events = repeat(10, (n) => ({ userId: 'u1', accountId: 'acme', event: 'error_shown', timestamp: daysAgo(1, n), id: `x${n}` }));
		expect(scoreAll(model, events).get('acme').score).toBe(-10);
	});

	test('reasons use singular forms for 1', () => {
		const model = oneRule({ type: 'eventCount', event: 'user_logged_in', windowDays: 7, reason: 'Logged in {value} times {window}' });
		expect(scoreAll(model, [login(0)]).get('acme').reasons[0]).toBe('Logged in 1 time in the last 7 days (+10)');
		expect(scoreAll(model, [login(0), login(1)]).get('acme').reasons[0]).toBe('Logged in 2 times in the last 7 days (+10)');
	});

	test('rules round-trip between the UI and JSON, every field kept', () => {
		const rules: RuleConfig[] = [
			...PRESETS.workedExampleWithNegatives.rules,
			{
				name: 'Exports',
				category: 'usage',
				type: 'eventCount',
				event: ['report_exported', 'Report Exported'],
				windowDays: 7,
				atLeast: 2,
				points: 3,
				pointsPer: 'unit',
				cap: 9,
				decay: { mode: 'linear', days: 10 },
				filters: [
					{ property: 'format', operator: 'equals', value: 'csv' },
					{ property: 'rows', operator: 'gte', value: 100 },
				],
				minDaysSinceSignup: 3,
				reason: 'Exported {value} reports',
			},
			{ name: 'Old account', category: 'fit', type: 'daysSinceSignup', trait: 'signed_up_at', atLeast: 30, points: 5 },
		];
		for (const rule of rules) {
			const back = ruleFromUi(ruleToUi(rule));
			expect(compileModel({ rules: [back] }).version).toBe(compileModel({ rules: [rule] }).version);
		}
		void AS_OF;
	});
});
