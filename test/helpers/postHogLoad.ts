import type { ModelConfig } from '../../nodes/engine/rules/schema';

/**
 * Deterministic load of PostHog HTTP-webhook-destination bodies (`{event, person, groups}`, as the
 * destination's default template sends them) for the concurrency tests and tools/bench/trigger.ts:
 * which account and event each delivery is, and how many of each every account got.
 */

export interface LoadEvent {
	uuid: string;
	accountId: string;
	name: string;
	/** The request body, serialized once. */
	body: string;
}

export interface PostHogLoad {
	/** Every distinct event, in sending order. */
	events: LoadEvent[];
	/** `events` with retried deliveries (same uuid, same bytes) inserted later in the stream. */
	deliveries: LoadEvent[];
	/** Per account: distinct events per event name. */
	counts: Map<string, Record<string, number>>;
	/** Per account: distinct events. */
	totals: Map<string, number>;
}

export interface PostHogLoadOptions {
	accounts: number;
	events: number;
	/** Deliveries repeated later in the stream (a destination retrying). */
	retries?: number;
	seed: number;
	/** Every n-th account is `heavyWeight` times as active as the others. */
	heavyEvery?: number;
	heavyWeight?: number;
	/** Events happen in the `spreadMs` before `now`. */
	now?: number;
	spreadMs?: number;
}

const EVENT_WEIGHTS: Array<[name: string, weight: number]> = [
	['user_logged_in', 30],
	['core_feature_used', 20],
	['$pageview', 12],
	['api_call', 12],
	['dashboard_created', 8],
	['export', 6],
	['teammate_invited', 4],
	['settings_changed', 4],
	['plan_limit_reached', 2],
	['integration_connected', 2],
];
const INDUSTRIES = ['Software', 'Logistics', 'Retail', 'Finance', 'Healthcare'];
const ROLES = ['Engineer', 'Product Manager', 'CTO', 'Designer', 'Founder'];
const PATHS = ['/home', '/dashboards', '/pricing', '/settings/team', '/docs'];
const USERS_PER_ACCOUNT = 4;

/** mulberry32: small, fast, deterministic. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function pickWeighted<T>(items: Array<[T, number]>, total: number, r: number): T {
	let left = r * total;
	for (const [item, weight] of items) {
		left -= weight;
		if (left < 0) return item;
	}
	return items[items.length - 1][0];
}

export function accountName(index: number): string {
	return `acct-${String(index).padStart(4, '0')}`;
}

function uuidFrom(next: () => number, index: number): string {
	const hex = (n: number) => Math.floor(next() * 16 ** n).toString(16).padStart(n, '0');
	return `0193${hex(4)}-${hex(4)}-7${hex(3)}-8${hex(3)}-${index.toString(16).padStart(12, '0')}`;
}

/** One delivery of PostHog's HTTP webhook destination, default body plus `"groups": "{groups}"`. */
export function postHogDestinationBody(event: { uuid: string; name: string; accountIndex: number; user: number; timestamp: number }): object {
	const accountId = accountName(event.accountIndex);
	const distinctId = `${accountId}-user-${event.user}`;
	const path = PATHS[(event.accountIndex + event.user) % PATHS.length];
	const timestamp = new Date(event.timestamp).toISOString();
	return {
		event: {
			uuid: event.uuid,
			event: event.name,
			distinct_id: distinctId,
			properties: {
				$lib: 'web',
				$lib_version: '1.200.2',
				$browser: 'Chrome',
				$os: 'Mac OS X',
				$current_url: `https://app.example.com${path}`,
				$pathname: path,
				$session_id: `session-${distinctId}`,
				$groups: { company: accountId },
			},
			elements_chain: '',
			timestamp,
			url: `https://us.posthog.com/project/1234/events/${event.uuid}/${encodeURIComponent(timestamp)}`,
		},
		person: {
			id: `person-${distinctId}`,
			name: `User ${event.user} of ${accountId}`,
			properties: { email: `user${event.user}@${accountId}.example.com`, role: ROLES[event.user % ROLES.length] },
			url: `https://us.posthog.com/project/1234/person/${distinctId}`,
		},
		groups: {
			company: {
				id: accountId,
				type: 'company',
				index: 0,
				url: `https://us.posthog.com/project/1234/groups/0/${accountId}`,
				properties: {
					name: `Account ${event.accountIndex}`,
					employees: 20 + ((event.accountIndex * 37) % 900),
					industry: INDUSTRIES[event.accountIndex % INDUSTRIES.length],
				},
			},
		},
	};
}

export function postHogLoad(options: PostHogLoadOptions): PostHogLoad {
	const next = seededRandom(options.seed);
	const now = options.now ?? Date.now();
	const spreadMs = options.spreadMs ?? 3 * 24 * 3600_000;
	const heavyEvery = options.heavyEvery ?? 0;
	const heavyWeight = options.heavyWeight ?? 1;
	const accountWeights = Array.from({ length: options.accounts }, (_, index): [number, number] => [
		index,
		heavyEvery > 0 && index % heavyEvery === 0 ? heavyWeight : 1,
	]);
	const totalAccountWeight = accountWeights.reduce((sum, [, weight]) => sum + weight, 0);
	const totalEventWeight = EVENT_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);

	const events: LoadEvent[] = [];
	const counts = new Map<string, Record<string, number>>();
	const totals = new Map<string, number>();
	for (let index = 0; index < options.events; index++) {
		const accountIndex = pickWeighted(accountWeights, totalAccountWeight, next());
		const name = pickWeighted(EVENT_WEIGHTS, totalEventWeight, next());
		const uuid = uuidFrom(next, index);
		const user = Math.floor(next() * USERS_PER_ACCOUNT);
		const timestamp = now - Math.floor(next() * spreadMs);
		const accountId = accountName(accountIndex);
		events.push({ uuid, accountId, name, body: JSON.stringify(postHogDestinationBody({ uuid, name, accountIndex, user, timestamp })) });
		const perName = counts.get(accountId) ?? {};
		perName[name] = (perName[name] ?? 0) + 1;
		counts.set(accountId, perName);
		totals.set(accountId, (totals.get(accountId) ?? 0) + 1);
	}

	const deliveries = [...events];
	for (let retry = 0; retry < (options.retries ?? 0); retry++) {
		const original = events[Math.floor(next() * events.length)];
		const sentAt = deliveries.indexOf(original);
		const position = sentAt + 1 + Math.floor(next() * (deliveries.length - sentAt));
		deliveries.splice(position, 0, original);
	}
	return { events, deliveries, counts, totals };
}

/** The load tests' model: every event is worth one point, so an account's score is its event count. */
export function scoreIsEventCountModel(threshold: number): ModelConfig {
	return {
		mode: 'points',
		threshold,
		tiers: [
			{ name: 'pql', minScore: threshold },
			{ name: 'other', minScore: null },
		],
		rules: [{ name: 'Events', category: 'usage', type: 'eventCount', event: '*', pointsPer: 'unit', points: 1 }],
	};
}
