/**
 * Synthetic history with a known answer, for PQL Calibrate: accounts whose conversion is drawn
 * from a logistic model of the signals they show, so the true weights and the best achievable
 * AUC are known independently of the code under test.
 *
 * Every account logs in; each true signal is shown with its own probability; conversion is
 * Bernoulli(σ(intercept + Σ weight·signal)). Converters' signals happen before their conversion
 * minus the lead time; every converter also opens the billing portal after paying (a signal that
 * exists only because they converted: backtesting before conversion must not learn from it).
 */
import type { ModelConfig } from '../../nodes/engine/rules/schema';
import { DAY_MS } from '../../nodes/engine/time';
import { seededRandom } from './postHogLoad';

export const HISTORY_AS_OF = Date.parse('2026-11-01T00:00:00.000Z');
export const HISTORY_LEAD_DAYS = 7;

export const TRUE_SIGNALS: Array<{ rule: string; event: string; weight: number; shownBy: number }> = [
	{ rule: 'Connected an Integration', event: 'integration_connected', weight: 2.0, shownBy: 0.3 },
	{ rule: 'Invited Teammates', event: 'teammate_invited', weight: 1.5, shownBy: 0.4 },
	{ rule: 'Reached Plan Limit', event: 'plan_limit_reached', weight: 1.1, shownBy: 0.35 },
	{ rule: 'Viewed Pricing', event: 'pricing_viewed', weight: 0.75, shownBy: 0.45 },
	{ rule: 'Created dashboards', event: 'dashboard_created', weight: 0.45, shownBy: 0.5 },
	{ rule: 'Exported data', event: 'export', weight: 0.2, shownBy: 0.5 },
];
export const TRUE_INTERCEPT = -2.6;
export const NOISE_RULE = 'Changed settings';
export const LEAKY_RULE = 'Opened billing portal';

/** The current model: every signal worth the same, plus a noise rule, the leaky rule and a login rule. */
export const HISTORY_MODEL: ModelConfig = {
	threshold: 30,
	tiers: [
		{ name: 'hot', minScore: 30 },
		{ name: 'warm', minScore: 15 },
		{ name: 'cold', minScore: null },
	],
	rules: [
		...TRUE_SIGNALS.map((signal) => ({
			name: signal.rule,
			category: 'usage' as const,
			type: 'eventCount' as const,
			event: signal.event,
			windowDays: 30,
			points: 10,
		})),
		{ name: NOISE_RULE, category: 'usage', type: 'eventCount', event: 'settings_changed', windowDays: 30, points: 10 },
		{ name: LEAKY_RULE, category: 'intent', type: 'everDid', event: 'billing_portal_opened', points: 10 },
		{ name: 'Logged in', category: 'usage', type: 'eventCount', event: 'user_logged_in', windowDays: 30, points: 5 },
	],
};

export interface HistoryAccount {
	accountId: string;
	signals: number[];
	trueLogit: number;
	converted: boolean;
	convertedAt: number | undefined;
	value: number | undefined;
}

export interface FlatEvent {
	id: string;
	userId: string;
	accountId: string;
	event: string;
	timestamp: string;
}

export interface History {
	accounts: HistoryAccount[];
	events: FlatEvent[];
	/** CRM-style outcome rows: converters only (the others are every other account in the events). */
	outcomes: Array<{ accountId: string; convertedAt: string; amount: number }>;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function generateHistory(accountCount: number, seed = 7): History {
	const next = seededRandom(seed);
	const accounts: HistoryAccount[] = [];
	const events: FlatEvent[] = [];
	let eventId = 0;
	const emit = (accountId: string, event: string, at: number) =>
		events.push({ id: `e${eventId++}`, userId: `${accountId}-u${Math.floor(next() * 2)}`, accountId, event, timestamp: new Date(Math.round(at)).toISOString() });
	for (let a = 0; a < accountCount; a++) {
		const accountId = `acct-${String(a).padStart(5, '0')}`;
		const signals: number[] = TRUE_SIGNALS.map((signal) => (next() < signal.shownBy ? 1 : 0));
		const trueLogit = TRUE_INTERCEPT + signals.reduce((sum, shown, i) => sum + shown * TRUE_SIGNALS[i].weight, 0);
		const converted = next() < sigmoid(trueLogit);
		const convertedAt = converted ? HISTORY_AS_OF - (20 + next() * 120) * DAY_MS : undefined;
		const seenAsOf = convertedAt === undefined ? HISTORY_AS_OF : convertedAt - HISTORY_LEAD_DAYS * DAY_MS;
		const before = (maxDays: number) => seenAsOf - (0.1 + next() * maxDays) * DAY_MS;
		const logins = 2 + Math.floor(next() * 5);
		for (let i = 0; i < logins; i++) emit(accountId, 'user_logged_in', before(25));
		signals.forEach((shown, i) => {
			if (!shown) return;
			const times = 1 + Math.floor(next() * 3);
			for (let k = 0; k < times; k++) emit(accountId, TRUE_SIGNALS[i].event, before(25));
		});
		if (next() < 0.4) emit(accountId, 'settings_changed', before(25));
		if (convertedAt !== undefined) {
			emit(accountId, 'billing_portal_opened', convertedAt + (0.5 + next() * 10) * DAY_MS);
			emit(accountId, 'user_logged_in', convertedAt + (0.5 + next() * 10) * DAY_MS);
		}
		accounts.push({ accountId, signals, trueLogit, converted, convertedAt, value: converted ? 1000 + Math.floor(next() * 9000) : undefined });
	}
	events.sort((x, y) => (x.timestamp < y.timestamp ? -1 : x.timestamp > y.timestamp ? 1 : 0));
	const outcomes = accounts
		.filter((account) => account.converted)
		.map((account) => ({ accountId: account.accountId, convertedAt: new Date(account.convertedAt!).toISOString(), amount: account.value! }));
	return { accounts, events, outcomes };
}
