import type { ModelConfig } from '../../nodes/engine/rules/schema';
import { DAY_MS } from '../../nodes/engine/time';
import { seededRandom } from '../../test/helpers/postHogLoad';

/** The benchmark's fixed "now": data and scores do not depend on the day it runs. */
export const BENCH_AS_OF = Date.parse('2026-11-20T00:00:00.000Z');

export interface BenchEvent {
	id: string;
	userId: string;
	accountId: string;
	event: string;
	timestamp: string;
	properties: Record<string, unknown>;
}

const EVENTS: Array<[name: string, weight: number]> = [
	['user_logged_in', 30],
	['core_feature_used', 20],
	['dashboard_created', 8],
	['api_call', 12],
	['export', 6],
	['$pageview', 12],
	['teammate_invited', 4],
	['plan_limit_reached', 2],
	['integration_connected', 2],
	['settings_changed', 4],
];
const TOTAL_WEIGHT = EVENTS.reduce((sum, [, weight]) => sum + weight, 0);
const PAGES = ['/home', '/dashboards', '/pricing', '/settings', '/docs'];
const FORMATS = ['csv', 'xlsx', 'pdf', 'json'];

function pickEvent(r: number): string {
	let acc = r * TOTAL_WEIGHT;
	for (const [name, weight] of EVENTS) {
		acc -= weight;
		if (acc < 0) return name;
	}
	return EVENTS[0][0];
}

function propertiesFor(name: string, next: () => number): Record<string, unknown> {
	switch (name) {
		case '$pageview':
			return { url: `https://app.example.com${PAGES[Math.floor(next() * PAGES.length)]}` };
		case 'export':
			return { format: FORMATS[Math.floor(next() * FORMATS.length)] };
		case 'api_call':
			return { env: next() < 0.6 ? 'production' : 'staging' };
		default:
			return { plan: next() < 0.8 ? 'free' : 'pro' };
	}
}

/** `count` events over `accounts` accounts (3 users each), spread over the 45 days before BENCH_AS_OF. */
export function generateEvents(count: number, accounts: number, seed = 42): BenchEvent[] {
	const next = seededRandom(seed);
	const events: BenchEvent[] = new Array(count);
	for (let i = 0; i < count; i++) {
		const account = Math.floor(next() * accounts);
		const user = Math.floor(next() * 3);
		const name = pickEvent(next());
		const at = BENCH_AS_OF - Math.floor(next() * 45 * DAY_MS);
		events[i] = {
			id: `evt-${i}`,
			userId: `u-${account}-${user}`,
			accountId: `acct-${account}`,
			event: name,
			timestamp: new Date(at).toISOString(),
			properties: propertiesFor(name, next),
		};
	}
	return events;
}

/** 12 rules with 7/14/30-day windows, property filters, distinct-day and distinct-user rules. */
export const BENCH_MODEL: ModelConfig = {
	threshold: 70,
	rules: [
		{ name: 'Frequent Logins', category: 'usage', type: 'eventCount', event: 'user_logged_in', windowDays: 7, atLeast: 5, points: 10 },
		{ name: 'Core feature', category: 'usage', type: 'eventCount', event: 'core_feature_used', windowDays: 30, atLeast: 3, points: 20 },
		{ name: 'Invites', category: 'usage', type: 'eventCount', event: 'teammate_invited', windowDays: 14, atLeast: 2, points: 15 },
		{ name: 'Spreadsheet exports', category: 'usage', type: 'eventCount', event: 'export', windowDays: 30, filters: [{ property: 'format', operator: 'oneOf', value: ['csv', 'xlsx'] }], points: 5 },
		{ name: 'Pricing views', category: 'intent', type: 'eventCount', event: '$pageview', windowDays: 14, filters: [{ property: 'url', operator: 'contains', value: '/pricing' }], points: 10 },
		{ name: 'Plan limit', category: 'intent', type: 'eventCount', event: 'plan_limit_reached', windowDays: 30, points: 15 },
		{ name: 'Returning', category: 'usage', type: 'activeDays', windowDays: 14, atLeast: 3, points: 10 },
		{ name: 'Habit', category: 'usage', type: 'activeDays', windowDays: 30, atLeast: 8, points: 10 },
		{ name: 'Shared dashboards', category: 'usage', type: 'distinctUsers', event: 'dashboard_created', windowDays: 30, atLeast: 2, points: 10 },
		{ name: 'Team breadth', category: 'usage', type: 'distinctUsers', windowDays: 7, atLeast: 3, points: 10 },
		{ name: 'Integrated', category: 'usage', type: 'everDid', event: 'integration_connected', points: 20 },
		{ name: 'Production API', category: 'usage', type: 'eventCount', event: 'api_call', windowDays: 30, filters: [{ property: 'env', operator: 'equals', value: 'production' }], pointsPer: 'unit', points: 1, cap: 20 },
	],
};
