import { antiPqlConfig, AntiPqlConfigError, type AntiPqlParameters } from '../../nodes/engine/antiPql/config';
import { LeadFieldError, readLead, DEFAULT_LEAD_FIELDS } from '../../nodes/engine/antiPql/lead';
import { antiPqlReasons, compileNamePattern } from '../../nodes/engine/antiPql/rules';
import { DAY_MS } from '../../nodes/engine/time';

const AS_OF = '2026-11-20T12:00:00.000Z';
const NOW = Date.parse(AS_OF);
const daysAgo = (days: number) => new Date(NOW - days * DAY_MS).toISOString();

/** Only the rules a test names are on. */
const ALL_OFF: AntiPqlParameters = {
	inactive: false,
	lowUsage: false,
	neverDid: false,
	personalDomain: false,
	disposableDomain: false,
	competitor: false,
	internal: false,
	testAccounts: false,
	flags: false,
};

function reasonsFor(item: Record<string, unknown>, parameters: AntiPqlParameters = {}): string[] {
	return antiPqlReasons(item, antiPqlConfig({ asOf: AS_OF, ...parameters }, Date.now()));
}

function only(parameters: AntiPqlParameters) {
	return { ...ALL_OFF, ...parameters };
}

/** A PQL Score account item, as the node emits it. */
function scoredAccount(overrides: Record<string, unknown> = {}) {
	return {
		id: 'acme',
		name: 'Acme Inc',
		accountId: 'acme',
		score: 80,
		isPql: true,
		users: [{ id: 'u1', email: 'ada@acme.io' }],
		firstSeen: daysAgo(40),
		lastSeen: daysAgo(1),
		activeDays: 12,
		eventCounts: { core_feature_used: 4, user_logged_in: 6 },
		...overrides,
	};
}

describe('inactivity and usage rules', () => {
	test('inactive for at least N whole days, counted to "As Of"', () => {
		expect(reasonsFor(scoredAccount({ lastSeen: daysAgo(23) }), only({ inactive: true, inactiveDays: 21 }))).toEqual(['No activity for 23 days']);
		expect(reasonsFor(scoredAccount({ lastSeen: daysAgo(20.9) }), only({ inactive: true, inactiveDays: 21 }))).toEqual([]);
		expect(reasonsFor(scoredAccount({ lastSeen: daysAgo(21) }), only({ inactive: true, inactiveDays: 21 }))).toEqual(['No activity for 21 days']);
	});

	test('the same item filters the same way tomorrow: "As Of" fixes the clock', () => {
		const item = scoredAccount({ lastSeen: '2026-11-01T00:00:00.000Z' });
		const config = antiPqlConfig({ ...only({ inactive: true, inactiveDays: 21 }), asOf: AS_OF }, NOW + 365 * DAY_MS);
		expect(antiPqlReasons(item, config)).toEqual([]);
		const later = antiPqlConfig({ ...only({ inactive: true, inactiveDays: 21 }), asOf: '2026-11-30T00:00:00Z' }, NOW);
		expect(antiPqlReasons(item, later)).toEqual(['No activity for 29 days']);
	});

	test('old signup with little use, by active days or by events', () => {
		const quiet = scoredAccount({ firstSeen: daysAgo(64), activeDays: 2, eventCounts: { user_logged_in: 2 } });
		expect(reasonsFor(quiet, only({ lowUsage: true, lowUsageSignupDays: 60, lowUsageFewerThan: 3 }))).toEqual(['Signed up 64 days ago, active on only 2 days']);
		expect(reasonsFor(quiet, only({ lowUsage: true, lowUsageSignupDays: 60, lowUsageMeasure: 'events', lowUsageFewerThan: 5 }))).toEqual([
			'Signed up 64 days ago, with only 2 events',
		]);
		expect(reasonsFor(quiet, only({ lowUsage: true, lowUsageSignupDays: 90 }))).toEqual([]);
		expect(reasonsFor(scoredAccount({ firstSeen: daysAgo(64) }), only({ lowUsage: true, lowUsageSignupDays: 60 }))).toEqual([]);
	});

	test('a CRM signup date wins over the first event; a lead without usage data is not judged on usage', () => {
		const contact = { email: 'ann@initech.com', createdAt: daysAgo(100), firstSeen: daysAgo(5), activeDays: 1 };
		expect(reasonsFor(contact, only({ lowUsage: true }))).toEqual(['Signed up 100 days ago, active on only 1 day']);
		expect(reasonsFor({ email: 'ann@initech.com', createdAt: daysAgo(100) }, only({ lowUsage: true }))).toEqual([]);
	});

	test('never did the core events', () => {
		const parameters = only({ neverDid: true, coreEvents: 'core_feature_used, Core Feature Used' });
		expect(reasonsFor(scoredAccount({ eventCounts: { user_logged_in: 9 } }), parameters)).toEqual(['Never did any of core_feature_used, Core Feature Used']);
		expect(reasonsFor(scoredAccount({ eventCounts: { 'Core Feature Used': 1 } }), parameters)).toEqual([]);
		expect(reasonsFor(scoredAccount({ eventCounts: { user_logged_in: 9 } }), only({ neverDid: true, coreEvents: 'export' }))).toEqual(['Never did export']);
		// No event counts at all (a CRM contact): nothing to judge.
		expect(reasonsFor({ email: 'ann@initech.com' }, parameters)).toEqual([]);
	});
});

describe('domain rules', () => {
	test('personal and disposable e-mail domains, using the engine snapshots', () => {
		const parameters = only({ personalDomain: true, disposableDomain: true });
		expect(reasonsFor({ email: 'bob@gmail.com' }, parameters)).toEqual(['Personal e-mail domain gmail.com']);
		expect(reasonsFor({ email: 'Bob <bob@Mailinator.com>' }, parameters)).toEqual(['Disposable e-mail domain mailinator.com']);
		expect(reasonsFor({ email: 'bob@mailinator.com' }, only({ personalDomain: true }))).toEqual(['Personal e-mail domain mailinator.com']);
		expect(reasonsFor({ email: 'ada@acme.io' }, parameters)).toEqual([]);
	});

	test('an account is personal only when every user is: one colleague on gmail does not discard a company', () => {
		const parameters = only({ personalDomain: true });
		const mixed = scoredAccount({ users: [{ id: 'u1', email: 'ada@acme.io' }, { id: 'u2', email: 'bob@gmail.com' }] });
		expect(reasonsFor(mixed, parameters)).toEqual([]);
		const allPersonal = scoredAccount({ users: [{ id: 'u1', email: 'a@gmail.com' }, { id: 'u2', email: 'b@yahoo.com' }, { id: 'u3', email: 'c@gmail.com' }] });
		expect(reasonsFor(allPersonal, parameters)).toEqual(['Personal e-mail domains gmail.com, yahoo.com']);
	});

	test('competitor and internal domains match the company domain or every e-mail, sub-domains included', () => {
		const parameters = only({ competitor: true, competitorDomains: 'rival.io, https://www.other.com/', internal: true, internalDomains: 'ourco.com' });
		expect(reasonsFor({ email: 'x@rival.io' }, parameters)).toEqual(['Competitor domain rival.io']);
		expect(reasonsFor({ email: 'x@eu.rival.io' }, parameters)).toEqual(['Competitor domain eu.rival.io']);
		expect(reasonsFor({ email: 'x@gmail.com', website: 'https://www.Other.com/pricing' }, parameters)).toEqual(['Competitor domain other.com']);
		expect(reasonsFor({ email: 'me@ourco.com' }, parameters)).toEqual(['Internal domain ourco.com']);
		expect(reasonsFor(scoredAccount({ users: [{ id: 'u1', email: 'me@ourco.com' }, { id: 'u2', email: 'ada@acme.io' }] }), parameters)).toEqual([]);
		expect(reasonsFor({ email: 'x@notrival.io' }, parameters)).toEqual([]);
		// PQL Score accounts formed from an e-mail domain carry it as their id.
		expect(reasonsFor(scoredAccount({ id: 'rival.io', accountId: 'rival.io', users: [] }), parameters)).toEqual(['Competitor domain rival.io']);
	});

	test('test accounts: +test addresses, reserved example domains, test-like names', () => {
		const parameters = only({ testAccounts: true });
		expect(reasonsFor({ email: 'jane+test@acme.io' }, parameters)).toEqual(['Test address jane+test@acme.io']);
		expect(reasonsFor({ email: 'jane+test2@acme.io', name: 'Jane' }, parameters)).toEqual(['Test address jane+test2@acme.io']);
		expect(reasonsFor({ email: 'jane@example.com' }, parameters)).toEqual(['Reserved test domain example.com']);
		expect(reasonsFor({ email: 'jane@shop.example.org' }, parameters)).toEqual(['Reserved test domain shop.example.org']);
		expect(reasonsFor({ email: 'qa@acme.test' }, parameters)).toEqual(['Reserved test domain acme.test']);
		expect(reasonsFor(scoredAccount({ name: 'Acme Test' }), parameters)).toEqual(['Test account name "Acme Test" (matches "* test")']);
		expect(reasonsFor({ accountName: 'Demo' }, parameters)).toEqual(['Test account name "Demo" (matches "demo")']);
		expect(reasonsFor(scoredAccount({ name: 'Testing Ltd' }), parameters)).toEqual([]);
		expect(reasonsFor(scoredAccount({ name: 'Contest Corp' }), parameters)).toEqual([]);
		expect(reasonsFor({ name: 'Initech' }, only({ testAccounts: true, testNamePatterns: 'init*' }))).toEqual(['Test account name "Initech" (matches "init*")']);
	});

	test('name patterns are globs: only * is special', () => {
		expect(compileNamePattern('*(test)*').test('Acme (TEST)')).toBe(true);
		expect(compileNamePattern('a.b').test('axb')).toBe(false);
	});
});

describe('flags and statuses', () => {
	test('churned / disqualified flags and excluded statuses', () => {
		const parameters = only({ flags: true });
		expect(reasonsFor({ email: 'a@acme.io', isChurned: true }, parameters)).toEqual(['Flag isChurned is set']);
		expect(reasonsFor({ email: 'a@acme.io', disqualified: 'yes' }, parameters)).toEqual(['Flag disqualified is set']);
		expect(reasonsFor({ email: 'a@acme.io', churned: false, disqualified: 'no' }, parameters)).toEqual([]);
		expect(reasonsFor({ email: 'a@acme.io', lifecycleStage: 'Closed Lost' }, parameters)).toEqual(['Status lifecycleStage is Closed Lost']);
		expect(reasonsFor({ email: 'a@acme.io', crm: { stage: 'lost' } }, only({ flags: true, statusFields: 'crm.stage', excludedStatuses: 'lost' }))).toEqual([
			'Status crm.stage is lost',
		]);
	});
});

describe('defaults', () => {
	test('with no parameters set, the on-by-default rules give every reason that applies, in rule order', () => {
		const item = { email: 'bob+test@gmail.com', name: 'Test', lastSeen: daysAgo(40), createdAt: daysAgo(90), activeDays: 1, churned: true };
		expect(reasonsFor(item)).toEqual([
			'No activity for 40 days',
			'Signed up 90 days ago, active on only 1 day',
			'Personal e-mail domain gmail.com',
			'Test address bob+test@gmail.com',
			'Test account name "Test" (matches "test")',
			'Flag churned is set',
		]);
	});

	test('a healthy PQL Score account passes every default rule', () => {
		expect(reasonsFor(scoredAccount())).toEqual([]);
	});

	test('the default field paths read PQL Score, Threshold Trigger and CRM items', () => {
		const trigger = { accountId: 'globex', accountName: 'Globex', users: [{ id: 'h', email: 'hank@globex.com' }], lastSeen: daysAgo(2), firstSeen: daysAgo(30), activeDays: 9, eventCounts: { a: 3, b: 4 } };
		expect(readLead(trigger, DEFAULT_LEAD_FIELDS)).toEqual({
			emails: ['hank@globex.com'],
			domain: { path: 'accountId', value: 'globex' },
			name: { path: 'accountName', value: 'Globex' },
			lastActivity: NOW - 2 * DAY_MS,
			signup: NOW - 30 * DAY_MS,
			eventCounts: { a: 3, b: 4 },
			totalEvents: 7,
			activeDays: 9,
		});
		const crm = readLead({ email: 'Ann@Initech.com', company: 'Initech', created_at: 1_700_000_000, eventCount: '12' }, DEFAULT_LEAD_FIELDS);
		expect(crm).toMatchObject({ emails: ['ann@initech.com'], name: { path: 'company', value: 'Initech' }, signup: 1_700_000_000_000, totalEvents: 12, eventCounts: undefined });
	});

	test('configured field paths replace the defaults', () => {
		const item = { contact: { mail: 'bob@gmail.com' }, stats: { last: daysAgo(30) } };
		const parameters = { ...only({ personalDomain: true, inactive: true }), fields: { email: 'contact.mail', lastActivity: 'stats.last' } };
		expect(reasonsFor(item, parameters)).toEqual(['No activity for 30 days', 'Personal e-mail domain gmail.com']);
	});
});

describe('bad input names the field', () => {
	test('a date field that is not a date', () => {
		expect(() => reasonsFor({ lastSeen: 'yesterday' })).toThrow(new LeadFieldError('lastSeen', 'is not a date: "yesterday"'));
		expect(() => reasonsFor({ lastSeen: 'yesterday' })).toThrow('Field "lastSeen" is not a date: "yesterday"');
	});

	test('a count that is not a number', () => {
		expect(() => reasonsFor({ eventCounts: { login: 'many' } })).toThrow('Field "eventCounts.login" is not a number: "many"');
		expect(() => reasonsFor({ activeDays: 'few' })).toThrow('Field "activeDays" is not a number: "few"');
	});

	test('parameters that are set wrong name the parameter', () => {
		const build = (parameters: AntiPqlParameters) => () => antiPqlConfig(parameters, NOW);
		expect(build({ asOf: 'soon' })).toThrow(new AntiPqlConfigError('Option "As Of" is not a date: "soon"'));
		expect(build({ competitor: true, competitorDomains: '' })).toThrow('"Competitor Domains" is empty: list at least one, or turn off "Competitors"');
		expect(build({ competitor: true, competitorDomains: 'rival.io, rival' })).toThrow('"Competitor Domains": "rival" is not a domain');
		expect(build({ neverDid: true })).toThrow('"Core Events" is empty: list at least one, or turn off "Never Did Core Events"');
		expect(build({ inactiveDays: -1 })).toThrow('"Inactive For (Days)" must be a number of 0 or more, got -1');
	});
});
