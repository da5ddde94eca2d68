import { EventAggregator } from '../../nodes/engine/aggregate';
import type { EventKind, PqlEvent, Properties } from '../../nodes/engine/events/model';
import { compileModel, type CompiledModel } from '../../nodes/engine/rules/compile';
import { PRESETS } from '../../nodes/engine/rules/presets';
import type { RuleConfig } from '../../nodes/engine/rules/schema';
import { scoreSubject, type ScoreResult } from '../../nodes/engine/score';
import { applyEvent, hasActivity, stateFeatures, stateSummary, type AccountState } from '../../nodes/engine/state/accountState';
import { DAY_MS } from '../../nodes/engine/time';

/**
 * The streaming state must score exactly like the batch aggregator: for random event sequences
 * (seeded), at many as-of times, the same score, PQL decision, tier, matched rules and reasons.
 */

const EXTRA_RULES: RuleConfig[] = [
	{ name: 'Active teammates', category: 'usage', type: 'distinctUsers', event: '*', windowDays: 14, atLeast: 2, points: 10 },
	{ name: 'Regular use', category: 'usage', type: 'activeDays', windowDays: 14, atLeast: 2, pointsPer: 'unit', points: 3, cap: 15 },
	{
		name: 'Exported data',
		category: 'intent',
		type: 'eventCount',
		event: 'data_exported',
		windowDays: 30,
		points: 15,
		decay: { mode: 'halfLife', days: 7 },
	},
	{
		name: 'Logins lately',
		category: 'usage',
		type: 'eventCount',
		event: ['user_logged_in', 'Signed In'],
		windowDays: 30,
		atLeast: 3,
		atMost: 40,
		points: 6,
		decay: { mode: 'linear', days: 20 },
	},
	{ name: 'Lifetime users', category: 'usage', type: 'distinctUsers', event: 'core_feature_used', atLeast: 3, points: 5 },
	{ name: 'Lifetime active days', category: 'usage', type: 'activeDays', atLeast: 10, points: 5 },
	{ name: 'Dashboards built', category: 'usage', type: 'eventCount', event: 'dashboard_created', pointsPer: 'unit', points: 4, cap: 12 },
	{ name: 'Signed up long ago', category: 'negative', type: 'daysSinceSignup', atLeast: 45, points: 10 },
	{ name: 'Company e-mail', category: 'fit', type: 'trait', scope: 'user', trait: 'email', operator: 'emailDomainIn', value: ['acme.io', 'globex.com'], points: 5 },
	{ name: 'On a trial plan', category: 'intent', type: 'trait', trait: 'plan.tier', operator: 'equals', value: 'trial', points: 5 },
];

const MODEL: CompiledModel = compileModel({
	...PRESETS.workedExampleWithNegatives,
	rules: [...PRESETS.workedExampleWithNegatives.rules, ...EXTRA_RULES],
});

/** mulberry32: small, seeded, good enough to spread test cases. */
function randomSource(seed: number) {
	let a = seed >>> 0;
	const next = (): number => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (n: number): number => Math.floor(next() * n);
	const pick = <T>(items: readonly T[]): T => items[int(items.length)];
	return { next, int, pick, chance: (p: number) => next() < p };
}

type Random = ReturnType<typeof randomSource>;

const START = Date.parse('2026-03-01T00:00:00.000Z');
const HOUR_MS = 3_600_000;
const ACCOUNTS = {
	acme: ['ada', 'bob', 'cy', 'dee'],
	globex: ['eve', 'fay'],
	initech: ['gus', 'hal', 'ivy'],
} as const;
type AccountId = keyof typeof ACCOUNTS;
const HOME = new Map<string, AccountId>(
	Object.entries(ACCOUNTS).flatMap(([account, users]) => users.map((user) => [user, account as AccountId] as [string, AccountId])),
);
const PRODUCT_EVENTS = [
	'user_logged_in',
	'Signed In',
	'onboarding_completed',
	'core_feature_used',
	'teammate_invited',
	'integration_connected',
	'plan_limit_reached',
	'enterprise_features_requested',
	'data_exported',
	'dashboard_created',
	'report_viewed',
];
const ROLES = ['CTO', 'Designer', 'Founder', 'Product Manager', 'Student'];
const DOMAINS: Record<AccountId, string> = { acme: 'acme.io', globex: 'globex.com', initech: 'initech.net' };

function event(kind: EventKind, fields: Partial<PqlEvent> & { timestamp: number }): PqlEvent {
	return {
		id: undefined,
		source: 'generic',
		kind,
		name: kind === 'page' ? '$pageview' : kind === 'identify' ? '$identify' : kind === 'group' ? '$group' : 'event',
		userId: undefined,
		accountId: undefined,
		email: undefined,
		properties: {},
		userTraits: undefined,
		accountTraits: undefined,
		...fields,
	};
}

function userTraits(random: Random, user: string, account: AccountId, timestamp: number): Properties {
	const traits: Properties = { role: random.pick(ROLES) };
	if (random.chance(0.5)) traits.email = `${user}@${random.chance(0.8) ? DOMAINS[account] : 'gmail.com'}`;
	if (random.chance(0.3)) traits.created_at = new Date(timestamp - random.int(80) * DAY_MS).toISOString();
	if (random.chance(0.2)) traits.favourite_colour = 'teal';
	return traits;
}

function accountTraits(random: Random, account: AccountId): Properties {
	const traits: Properties = { name: `${account} Inc`, employees: random.pick([12, 60, 400, 5000, '250']) };
	if (random.chance(0.6)) traits.industry = random.pick(['Software', 'Logistics', 'SaaS']);
	if (random.chance(0.5)) traits.plan = { tier: random.pick(['trial', 'free', 'paid']) };
	if (random.chance(0.2)) traits.signed_up_at = new Date(START - random.int(60) * DAY_MS).toISOString();
	return traits;
}

/** A plausible stream: mostly in time order, some late arrivals, a few retries of the same event. */
function generateEvents(random: Random, count: number): PqlEvent[] {
	const events: PqlEvent[] = [];
	let clock = START;
	for (let n = 0; n < count; n++) {
		// Whole hours, so that events often sit exactly a window's length apart (windows include their start).
		clock += HOUR_MS * random.int(random.chance(0.05) ? 6 * 24 : 8);
		const lateBy = HOUR_MS * (random.chance(0.1) ? random.int(3 * 24) : random.chance(0.03) ? random.int(40 * 24) : 0);
		const timestamp = clock - lateBy;
		if (events.length > 0 && random.chance(0.03)) {
			events.push(random.pick(events));
			continue;
		}
		const account = random.pick(Object.keys(ACCOUNTS) as AccountId[]);
		const user = random.chance(0.93) ? random.pick(ACCOUNTS[account]) : undefined;
		const id = `evt-${n}`;
		const roll = random.next();
		if (roll < 0.06 && user !== undefined) {
			const withAccount = random.chance(0.3);
			events.push(event('identify', { id, timestamp, userId: user, accountId: withAccount ? account : undefined, userTraits: userTraits(random, user, account, timestamp), email: random.chance(0.5) ? `${user}@${DOMAINS[account]}` : undefined }));
		} else if (roll < 0.1) {
			events.push(event('group', { id, timestamp, userId: user, accountId: account, accountTraits: accountTraits(random, account) }));
		} else if (roll < 0.25) {
			const url = random.chance(0.4) ? 'https://app.example.com/pricing?plan=team' : 'https://app.example.com/home';
			events.push(event('page', { id, timestamp, userId: user, accountId: account, properties: { url } }));
		} else {
			const carriesTraits = user !== undefined && random.chance(0.05);
			events.push(
				event('track', {
					id,
					timestamp,
					name: random.pick(PRODUCT_EVENTS),
					userId: user,
					accountId: account,
					properties: { plan: random.pick(['free', 'team']) },
					userTraits: carriesTraits ? userTraits(random, user, account, timestamp) : undefined,
					accountTraits: random.chance(0.03) ? accountTraits(random, account) : undefined,
				}),
			);
		}
	}
	return events;
}

/** Where the trigger would send an event: the account it names, else the account of its user. */
function routeOf(event: PqlEvent): string | undefined {
	return event.accountId ?? (event.userId === undefined ? undefined : HOME.get(event.userId));
}

function batchScores(events: PqlEvent[], asOf: number): Map<string, ScoreResult> {
	const aggregator = new EventAggregator(MODEL, { asOf, level: 'account' });
	for (const each of events) aggregator.add(each);
	return new Map(aggregator.finish().map((result) => [result.id, result]));
}

function streamScores(states: Map<string, AccountState>, asOf: number): Map<string, ScoreResult> {
	const results = new Map<string, ScoreResult>();
	for (const [id, state] of states) {
		if (hasActivity(state)) results.set(id, scoreSubject(MODEL, stateSummary(state), stateFeatures(MODEL, state, asOf), asOf));
	}
	return results;
}

describe('streamed account state scores like the batch aggregator', () => {
	const SEEDS = Array.from({ length: 12 }, (_, n) => 1000 + n * 7919);

	test.each(SEEDS)('seed %i: same results at many as-of times', (seed) => {
		const random = randomSource(seed);
		const events = generateEvents(random, 450);
		const states = new Map<string, AccountState>();
		const seen = new Set<string>();
		let latest = -Infinity;
		const latestOf = new Map<string, number>();
		let comparisons = 0;
		let scoredAccounts = 0;
		events.forEach((each, position) => {
			if (each.id !== undefined) {
				if (seen.has(each.id)) return;
				seen.add(each.id);
			}
			const accountId = routeOf(each)!;
			states.set(accountId, applyEvent(MODEL, states.get(accountId), each, accountId));
			latest = Math.max(latest, each.timestamp);
			latestOf.set(accountId, Math.max(latestOf.get(accountId) ?? -Infinity, each.timestamp));
			// Stores hand states around as JSON: the state must survive the round trip.
			if (random.chance(0.1)) states.set(accountId, JSON.parse(JSON.stringify(states.get(accountId))) as AccountState);
			if (position % 15 !== 14 && position !== events.length - 1) return;
			const applied = events.slice(0, position + 1);
			const asOfs = [latest, latest + random.int(3 * DAY_MS), latest + random.int(45 * DAY_MS), latest + 7 * DAY_MS];
			// Windows are inclusive to the millisecond: put some event exactly on a window's start.
			for (const windowDays of [7, 14, 30, 60]) {
				const onTheEdge = random.pick(applied).timestamp + windowDays * DAY_MS;
				if (onTheEdge >= latest) asOfs.push(onTheEdge, onTheEdge + 1);
			}
			for (const asOf of asOfs) {
				const expected = batchScores(applied, asOf);
				const actual = streamScores(states, asOf);
				expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
				for (const [id, result] of expected) {
					expect({ asOf, result: actual.get(id) }).toEqual({ asOf, result });
					comparisons++;
					if (result.matchedRules.length > 3) scoredAccounts++;
				}
			}
			// Each account as of its own latest event: the tightest time its pruned windows must still answer for.
			for (const [id, asOf] of latestOf) {
				const expected = batchScores(applied, asOf).get(id);
				const actual = streamScores(new Map([[id, states.get(id)!]]), asOf).get(id);
				expect({ asOf, result: actual }).toEqual({ asOf, result: expected });
			}
		});
		expect(comparisons).toBeGreaterThan(300);
		// The sequences must exercise the rules, not compare empty accounts.
		expect(scoredAccounts).toBeGreaterThan(100);
	});

	test('the generated sequences reach PQLs, negatives, decay and per-unit points', () => {
		const kinds = { pql: 0, negative: 0, decayed: 0, perUnit: 0, userTrait: 0 };
		for (const seed of [1000, 8919, 16838]) {
			const events = generateEvents(randomSource(seed), 450);
			const latest = Math.max(...events.map((each) => each.timestamp));
			for (const asOf of [latest, latest + 10 * DAY_MS]) {
				for (const result of batchScores(events, asOf).values()) {
					if (result.isPql) kinds.pql++;
					if (result.subtotals.negative < 0) kinds.negative++;
					if (result.reasons.some((reason) => reason.includes('decayed from'))) kinds.decayed++;
					if (result.matchedRules.some((rule) => rule.name === 'Regular use' || rule.name === 'Dashboards built')) kinds.perUnit++;
					if (result.matchedRules.some((rule) => rule.name === 'Relevant job role' || rule.name === 'Company e-mail')) kinds.userTrait++;
				}
			}
		}
		for (const count of Object.values(kinds)) expect(count).toBeGreaterThan(0);
	});
});
