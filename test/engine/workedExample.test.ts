import { WORKED_EXAMPLE_MODEL } from '../../nodes/engine/rules/presets';
import { AS_OF, daysAgo, repeat, scoreAll, type FlatEvent } from '../helpers/scoring';

/**
 * docs/PQL.md: a trial user who logged in 6 times in 7 days (+10), completed onboarding (+15),
 * used the core feature 4 times (+20), invited 3 teammates (+15), works at a target-size
 * company (+10) and viewed pricing (+10) scores 80 ≥ 70 → PQL.
 */
function workedExample(overrides: { logins?: number; employees?: number; inviteDaysAgo?: number; extra?: FlatEvent[] } = {}): FlatEvent[] {
	const { logins = 6, employees = 200, inviteDaysAgo = 3, extra = [] } = overrides;
	const at = (userId: string, event: string, when: string, properties?: Record<string, unknown>): FlatEvent => ({
		userId,
		accountId: 'acme',
		event,
		timestamp: when,
		properties,
	});
	return [
		{ type: 'group', accountId: 'acme', userId: 'ada', timestamp: daysAgo(40), traits: { name: 'Acme Inc', employees, industry: 'Logistics' } },
		{ type: 'identify', userId: 'ada', timestamp: daysAgo(40), traits: { email: 'ada@acme.io', role: 'Designer' } },
		...repeat(logins, (n) => at('ada', 'user_logged_in', daysAgo(n))),
		at('ada', 'onboarding_completed', daysAgo(20)),
		...repeat(4, (n) => at('ada', 'core_feature_used', daysAgo(n * 5))),
		...repeat(3, (n) => at('ada', 'teammate_invited', daysAgo(inviteDaysAgo, n))),
		{ userId: 'ada', accountId: 'acme', type: 'page', timestamp: daysAgo(2), properties: { url: 'https://app.acme.io/pricing' } },
		...extra,
	];
}

describe('the worked example of PQL.md', () => {
	test('scores exactly 80 and is a PQL at threshold 70, with one reason per signal', () => {
		const acme = scoreAll(WORKED_EXAMPLE_MODEL, workedExample()).get('acme');
		expect(acme.score).toBe(80);
		expect(acme.isPql).toBe(true);
		expect(acme.tier).toBe('hot');
		expect(acme.subtotals).toEqual({ usage: 60, fit: 10, intent: 10, negative: 0 });
		expect(acme.reasons).toEqual([
			'Logged in 6 times in the last 7 days (+10)',
			'Completed the onboarding checklist (+15)',
			'Used the core feature 4 times in the last 30 days (+20)',
			'Invited 3 teammates in the last 14 days (+15)',
			'Company of target size: 200 employees (+10)',
			'Viewed the pricing page in the last 30 days (+10)',
		]);
		expect(acme.unmatchedRules.map((rule) => rule.name)).toEqual([
			'Connected an Integration',
			'Relevant Job Role',
			'Target Industry',
			'Reached Plan Limit',
			'Requested Enterprise Features',
		]);
		expect(acme.name).toBe('Acme Inc');
		expect(acme.users).toEqual([{ id: 'ada', email: 'ada@acme.io' }]);
		expect(acme.asOf).toBe(new Date(AS_OF).toISOString());
		expect(acme.summary).toBe(
			'Acme Inc: PQL, score 80/70 (hot). Used the core feature 4 times in the last 30 days (+20); Completed the onboarding checklist (+15); Invited 3 teammates in the last 14 days (+15); +3 more.',
		);
	});

	test('4 logins instead of 6 lose the login points: 70, still a PQL (thresholds are "at least")', () => {
		const acme = scoreAll(WORKED_EXAMPLE_MODEL, workedExample({ logins: 4 })).get('acme');
		expect(acme.score).toBe(70);
		expect(acme.isPql).toBe(true);
		expect(acme.unmatchedRules.find((rule) => rule.name === 'Frequent Logins')).toMatchObject({ value: 4, condition: 'at least 5 in the last 7 days' });
	});

	test('exactly 5 logins still satisfy "at least 5"', () => {
		expect(scoreAll(WORKED_EXAMPLE_MODEL, workedExample({ logins: 5 })).get('acme').score).toBe(80);
	});

	test('a company outside the target size loses the fit points', () => {
		const acme = scoreAll(WORKED_EXAMPLE_MODEL, workedExample({ employees: 20 })).get('acme');
		expect(acme.score).toBe(70);
		expect(acme.subtotals.fit).toBe(0);
	});

	test('invites older than 14 days no longer count: 65, not a PQL, tier warm', () => {
		const acme = scoreAll(WORKED_EXAMPLE_MODEL, workedExample({ inviteDaysAgo: 15 })).get('acme');
		expect(acme.score).toBe(65);
		expect(acme.isPql).toBe(false);
		expect(acme.tier).toBe('warm');
	});

	test('connecting an integration adds 20', () => {
		const extra = [{ userId: 'ada', accountId: 'acme', event: 'integration_connected', timestamp: daysAgo(1) }];
		expect(scoreAll(WORKED_EXAMPLE_MODEL, workedExample({ extra })).get('acme').score).toBe(100);
	});
});
