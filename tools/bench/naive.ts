import groupBy from 'lodash/groupBy';
import uniq from 'lodash/uniq';
import type { BenchEvent } from './data';

/**
 * The baseline: scoring the way people write it in an n8n Code node today — group by account with
 * lodash, then one `filter` per rule with `new Date()` on every check. It implements BENCH_MODEL's
 * rules by hand so its scores can be compared with the engine's.
 */
export function naiveScores(events: BenchEvent[], asOf: number): Map<string, number> {
	const now = new Date(asOf);
	const daysAgo = (timestamp: string) => (now.getTime() - new Date(timestamp).getTime()) / 86_400_000;
	const inWindow = (e: BenchEvent, days: number) => new Date(e.timestamp) <= now && daysAgo(e.timestamp) <= days;
	const day = (e: BenchEvent) => new Date(e.timestamp).toISOString().slice(0, 10);
	const scores = new Map<string, number>();
	const byAccount = groupBy(events, 'accountId');
	for (const [accountId, list] of Object.entries(byAccount)) {
		let score = 0;
		const count = (name: string, days: number, filter: (e: BenchEvent) => boolean = () => true) =>
			list.filter((e) => e.event === name && inWindow(e, days) && filter(e)).length;
		if (count('user_logged_in', 7) >= 5) score += 10;
		if (count('core_feature_used', 30) >= 3) score += 20;
		if (count('teammate_invited', 14) >= 2) score += 15;
		if (count('export', 30, (e) => ['csv', 'xlsx'].includes(String(e.properties.format).toLowerCase())) >= 1) score += 5;
		if (count('$pageview', 14, (e) => String(e.properties.url).toLowerCase().includes('/pricing')) >= 1) score += 10;
		if (count('plan_limit_reached', 30) >= 1) score += 15;
		if (uniq(list.filter((e) => inWindow(e, 14)).map(day)).length >= 3) score += 10;
		if (uniq(list.filter((e) => inWindow(e, 30)).map(day)).length >= 8) score += 10;
		if (uniq(list.filter((e) => e.event === 'dashboard_created' && inWindow(e, 30)).map((e) => e.userId)).length >= 2) score += 10;
		if (uniq(list.filter((e) => inWindow(e, 7)).map((e) => e.userId)).length >= 3) score += 10;
		if (list.filter((e) => e.event === 'integration_connected' && new Date(e.timestamp) <= now).length >= 1) score += 20;
		score += Math.min(20, count('api_call', 30, (e) => e.properties.env === 'production'));
		scores.set(accountId, score);
	}
	return scores;
}
