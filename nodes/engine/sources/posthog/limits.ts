/**
 * PostHog's documented limits for the query API (posthog.com/docs/api/queries, 2026), and the
 * decisions that keep a pull inside them: how long to wait before the next query, and how long to
 * back off after a 429 or a server error.
 */
export const POSTHOG_QUERY_LIMITS = {
	/** Rows one HogQL query returns at most, with an explicit LIMIT. */
	maxRowsPerQuery: 50_000,
	/** Rows returned when a query has no LIMIT. */
	defaultRows: 100,
	queriesPerMinute: 240,
	queriesPerHour: 2_400,
	/** Concurrent queries per project. A pull sends one query at a time. */
	concurrentQueries: 3,
} as const;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** A 429 or 5xx is retried this many times, then the pull fails with PostHog's answer. */
export const MAX_RETRIES = 5;
/** Without Retry-After: 1 s, 2 s, 4 s … up to this. */
export const MAX_BACKOFF_MS = 30_000;
/** A pull waits at most this long at once (for Retry-After or the hourly budget); longer, it fails. */
export const MAX_SINGLE_WAIT_MS = 60_000;

/**
 * The queries one pull has sent, in a sliding minute and hour: `delayBeforeNext` says how long to
 * wait so that the next query stays within PostHog's per-minute and per-hour limits.
 */
export class QueryBudget {
	private readonly sentAt: number[] = [];

	constructor(
		private readonly perMinute: number = POSTHOG_QUERY_LIMITS.queriesPerMinute,
		private readonly perHour: number = POSTHOG_QUERY_LIMITS.queriesPerHour,
	) {}

	get sent(): number {
		return this.sentAt.length;
	}

	record(now: number): void {
		this.sentAt.push(now);
		while (this.sentAt.length > 0 && this.sentAt[0] <= now - HOUR_MS) this.sentAt.shift();
	}

	/** Milliseconds to wait before the next query; undefined when that is longer than MAX_SINGLE_WAIT_MS. */
	delayBeforeNext(now: number): number | undefined {
		const minuteWait = this.waitFor(now, MINUTE_MS, this.perMinute);
		const hourWait = this.waitFor(now, HOUR_MS, this.perHour);
		const wait = Math.max(minuteWait, hourWait);
		return wait > MAX_SINGLE_WAIT_MS ? undefined : wait;
	}

	private waitFor(now: number, windowMs: number, limit: number): number {
		const inWindow = this.sentAt.filter((at) => at > now - windowMs);
		if (inWindow.length < limit) return 0;
		// The oldest query that must leave the window before one more fits.
		return inWindow[inWindow.length - limit] + windowMs - now;
	}
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
	if (header === undefined || header.trim() === '') return undefined;
	const trimmed = header.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** How long to wait before retry number `attempt` (0 for the first retry). */
export function backoffMs(attempt: number, retryAfter: string | undefined, now: number): number {
	return retryAfterMs(retryAfter, now) ?? Math.min(1000 * 2 ** attempt, MAX_BACKOFF_MS);
}
