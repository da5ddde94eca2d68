/**
 * The PostHog pull against a local server that answers like PostHog's query API
 * (test/helpers/vendors/posthogQuery.ts): paging on (timestamp, uuid) without OFFSET, filters,
 * answers parsed into PostHog events, limits, backoff, and PostHog's errors. Waits are recorded
 * instead of slept, on a clock the test moves.
 */
import { eventsPageQuery, quote, timeLiteral } from '../../../nodes/engine/sources/posthog/hogql';
import { backoffMs, MAX_RETRIES, QueryBudget, retryAfterMs } from '../../../nodes/engine/sources/posthog/limits';
import { PostHogQueryError, PullSettingError, pullEvents, type PullEnvironment, type PullSettings } from '../../../nodes/engine/sources/posthog/pull';
import { readPullSettings } from '../../../nodes/engine/sources/posthog/settings';
import { httpRequest } from '../../helpers/n8nServer';
import { startPostHogQueryStandIn, type PostHogStandIn, type StandInEvent } from '../../helpers/vendors/posthogQuery';

const SINCE = Date.parse('2026-05-01T00:00:00.000Z');
const UNTIL = Date.parse('2026-05-08T00:00:00.000Z');

/** 23 events on 6 distinct times, 1–6 events per time, uuids not in insertion order. */
function eventsSharingTimestamps(): StandInEvent[] {
	const times = ['2026-05-01T09:00:00.000001Z', '2026-05-02T10:00:00.000000Z', '2026-05-02T10:00:00.000500Z', '2026-05-03T11:30:00.250000Z', '2026-05-05T08:00:00.000000Z', '2026-05-07T23:59:59.999999Z'];
	const perTime = [3, 6, 1, 5, 4, 4];
	const events: StandInEvent[] = [];
	times.forEach((timestamp, t) => {
		for (let n = 0; n < perTime[t]; n++) {
			const uuid = `01890000-0000-7000-8000-${String((n * 7919 + t * 104729) % 1_000_000).padStart(12, '0')}`;
			events.push({
				uuid,
				event: n % 2 === 0 ? 'user_logged_in' : 'core_feature_used',
				distinct_id: `user-${t}-${n}`,
				properties: { $groups: { company: t % 2 === 0 ? 'acme' : 'globex' }, n },
				timestamp,
				person_properties: { email: `user-${t}-${n}@acme.io` },
			});
		}
	});
	return events;
}

/** (timestamp, uuid) order: what every correct pull returns. */
function inStreamOrder(events: StandInEvent[]): StandInEvent[] {
	return [...events].sort((a, b) => (a.timestamp === b.timestamp ? (a.uuid < b.uuid ? -1 : 1) : a.timestamp < b.timestamp ? -1 : 1));
}

interface TestEnvironment extends PullEnvironment {
	waits: number[];
}

/** Requests go to the stand-in over HTTP; sleeping only moves the clock. */
function environment(standIn: PostHogStandIn, apiKey = standIn.apiKey, projectId = standIn.projectId): TestEnvironment {
	let clock = Date.parse('2026-05-08T00:00:00.000Z');
	const waits: number[] = [];
	return {
		waits,
		async send(request) {
			const response = await httpRequest(`${standIn.url}/api/projects/${projectId}/${request.path}`, {
				method: request.method,
				headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
				body: request.body === undefined ? undefined : JSON.stringify(request.body),
			});
			return { status: response.status, headers: response.headers, body: JSON.parse(response.body) as unknown };
		},
		async sleep(ms) {
			waits.push(ms);
			clock += ms;
		},
		now: () => clock,
	};
}

const settings = (overrides: Partial<PullSettings> = {}): PullSettings => ({
	eventNames: [],
	since: SINCE,
	until: UNTIL,
	pageSize: 4,
	includePersonProperties: true,
	...overrides,
});

describe('PostHog pull: paging', () => {
	let standIn: PostHogStandIn;
	const events = eventsSharingTimestamps();
	beforeAll(async () => {
		standIn = await startPostHogQueryStandIn({ events: [...events].reverse() });
	});
	afterAll(async () => await standIn.close());
	beforeEach(() => standIn.queries.splice(0));

	test('pages on (timestamp, uuid): every event once, in order, across pages that split equal timestamps', async () => {
		const result = await pullEvents(environment(standIn), settings());
		expect(result.events.map((e) => e.uuid)).toEqual(inStreamOrder(events).map((e) => e.uuid));
		expect(new Set(result.events.map((e) => e.uuid)).size).toBe(23);
		// 23 events, 4 per page: 5 full pages, then one with 3 rows, which ends the pull.
		expect(result.pages).toBe(6);
		expect(standIn.queries.map((q) => q.rows)).toEqual([4, 4, 4, 4, 4, 3]);
	});

	test('no query uses OFFSET; each after the first starts at the last event read', async () => {
		await pullEvents(environment(standIn), settings());
		const expected = inStreamOrder(events);
		for (const [index, query] of standIn.queries.entries()) {
			expect(query.hogql).not.toMatch(/OFFSET/i);
			expect(query.hogql).toMatch(/ORDER BY timestamp ASC, toString\(uuid\) ASC\nLIMIT 4$/);
			if (index === 0) continue;
			const last = expected[index * 4 - 1];
			expect(query.hogql).toContain(`toString(uuid) > '${last.uuid}'`);
			expect(query.hogql).toContain(`timestamp >= toDateTime('${last.timestamp.slice(0, 10)} ${last.timestamp.slice(11, 26)}', 6, 'UTC')`);
		}
	});

	test('an exactly full last page costs one more, empty, query', async () => {
		const result = await pullEvents(environment(standIn), settings({ pageSize: 23 }));
		expect(result.events).toHaveLength(23);
		expect(standIn.queries.map((q) => q.rows)).toEqual([23, 0]);
	});

	test('events come out in the raw PostHog shape PQL Score reads, JSON columns parsed', async () => {
		const result = await pullEvents(environment(standIn), settings({ pageSize: 50 }));
		const first = inStreamOrder(events)[0];
		expect(result.events[0]).toEqual({
			uuid: first.uuid,
			event: first.event,
			distinct_id: first.distinct_id,
			properties: first.properties,
			timestamp: first.timestamp,
			person_properties: first.person_properties,
		});
	});

	test('without person properties, the query does not ask for them', async () => {
		const result = await pullEvents(environment(standIn), settings({ pageSize: 50, includePersonProperties: false }));
		expect(standIn.queries[0].hogql).not.toContain('person.properties');
		expect(result.events[0]).not.toHaveProperty('person_properties');
	});

	test('event names, Since (inclusive) and Until (exclusive) filter in PostHog', async () => {
		const since = Date.parse('2026-05-02T10:00:00.000Z');
		const until = Date.parse('2026-05-07T23:59:59.999Z');
		const result = await pullEvents(environment(standIn), settings({ eventNames: ['user_logged_in'], since, until, pageSize: 2 }));
		const expected = inStreamOrder(events).filter(
			(e) => e.event === 'user_logged_in' && Date.parse(e.timestamp) >= since && e.timestamp < '2026-05-07T23:59:59.999000Z',
		);
		expect(expected.length).toBeGreaterThan(3);
		expect(result.events.map((e) => e.uuid)).toEqual(expected.map((e) => e.uuid));
		expect(standIn.queries[0].hogql).toContain("event IN ('user_logged_in')");
	});

	test('Limit stops at that many events, asking PostHog for no more rows than needed', async () => {
		const result = await pullEvents(environment(standIn), settings({ maxEvents: 10 }));
		expect(result.events.map((e) => e.uuid)).toEqual(inStreamOrder(events).slice(0, 10).map((e) => e.uuid));
		expect(standIn.queries.map((q) => q.hogql.split('LIMIT ')[1])).toEqual(['4', '4', '2']);
	});

	test('one query at a time, never more rows per query than PostHog allows', async () => {
		const slow = await startPostHogQueryStandIn({ events, queryDelayMs: 20 });
		try {
			await pullEvents(environment(slow), settings({ pageSize: 3 }));
			expect(slow.server.maxInFlight).toBe(1);
		} finally {
			await slow.close();
		}
		expect(() => readPullSettings({ eventNames: '', since: '', until: '', returnAll: true, limit: 1, pageSize: 50_001 }, UNTIL)).not.toThrow();
		await expect(pullEvents(environment(standIn), settings({ pageSize: 50_001 }))).rejects.toThrow(/Page Size must be a whole number from 1 to 50000/);
		expect(standIn.queries).toHaveLength(0);
	});
});

describe('PostHog pull: group properties', () => {
	test('adds one $groupidentify per group of the type, with its properties, from the groups table', async () => {
		const standIn = await startPostHogQueryStandIn({
			events: eventsSharingTimestamps(),
			groupTypes: [{ group_type: 'project', group_type_index: 0 }, { group_type: 'company', group_type_index: 1 }],
			groups: [
				{ index: 1, key: 'acme', properties: { name: 'Acme Inc', employees: 200 } },
				{ index: 1, key: 'globex', properties: { name: 'Globex', employees: 5000 } },
				{ index: 0, key: 'acme', properties: { name: 'a project, not the company' } },
			],
		});
		try {
			const result = await pullEvents(environment(standIn), settings({ pageSize: 100, groupType: 'company' }));
			expect(result.groups).toEqual([
				{ uuid: 'group-company-acme', event: '$groupidentify', distinct_id: '$company_acme', properties: { $group_type: 'company', $group_key: 'acme', $group_set: { name: 'Acme Inc', employees: 200 } }, timestamp: '2026-05-01T09:00:00.000001Z' },
				{ uuid: 'group-company-globex', event: '$groupidentify', distinct_id: '$company_globex', properties: { $group_type: 'company', $group_key: 'globex', $group_set: { name: 'Globex', employees: 5000 } }, timestamp: '2026-05-02T10:00:00.000000Z' },
			]);
			expect(standIn.queries.at(-1)!.hogql).toContain("WHERE index = 1 AND key IN ('acme', 'globex')");
			await expect(pullEvents(environment(standIn), settings({ pageSize: 100, groupType: 'organization' }))).rejects.toThrow(
				new PullSettingError('Add Group Properties', 'The PostHog project has no group type "organization" (its group types: project, company)'),
			);
		} finally {
			await standIn.close();
		}
	});
});

describe('PostHog pull: limits and retries', () => {
	let standIn: PostHogStandIn;
	const events = eventsSharingTimestamps();
	beforeAll(async () => {
		standIn = await startPostHogQueryStandIn({ events });
	});
	afterAll(async () => await standIn.close());
	beforeEach(() => standIn.queries.splice(0));

	test("a 429 with Retry-After waits that long, then the same page is asked again", async () => {
		standIn.script({ status: 429, retryAfter: '7' });
		const env = environment(standIn);
		const result = await pullEvents(env, settings({ pageSize: 100 }));
		expect(result.events).toHaveLength(23);
		expect(env.waits).toEqual([7000]);
		expect(standIn.queries.map((q) => q.status)).toEqual([429, 200]);
		expect(standIn.queries[0].hogql).toBe(standIn.queries[1].hogql);
		expect(result.retries).toBe(1);
	});

	test('429s without Retry-After and 5xx back off 1 s, 2 s, 4 s …', async () => {
		standIn.script({ status: 429 }, { status: 500 }, { status: 503 });
		const env = environment(standIn);
		await pullEvents(env, settings({ pageSize: 100 }));
		expect(env.waits).toEqual([1000, 2000, 4000]);
	});

	test(`gives up after ${MAX_RETRIES} retries with PostHog's answer`, async () => {
		standIn.script(...Array.from({ length: MAX_RETRIES + 1 }, () => ({ status: 429 as const, retryAfter: '1' })));
		const env = environment(standIn);
		await expect(pullEvents(env, settings())).rejects.toThrow(
			`PostHog answered 429 to the events query: Request was throttled. Expected available in 1 seconds. (after ${MAX_RETRIES} retries)`,
		);
		expect(env.waits).toEqual(Array(MAX_RETRIES).fill(1000));
	});

	test('a Retry-After longer than a minute fails at once instead of holding the execution', async () => {
		standIn.script({ status: 429, retryAfter: '3000' });
		const env = environment(standIn);
		await expect(pullEvents(env, settings())).rejects.toThrow("PostHog's rate limit: it asks to wait 3000 s before the next query (429)");
		expect(env.waits).toEqual([]);
	});

	test("a 400 is not retried and carries PostHog's detail", async () => {
		standIn.script({ status: 400, detail: 'Unable to resolve field: nonexistent' });
		const error = await pullEvents(environment(standIn), settings()).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(PostHogQueryError);
		expect((error as PostHogQueryError).message).toBe('PostHog could not run the events query (400): Unable to resolve field: nonexistent');
		expect((error as PostHogQueryError).status).toBe(400);
		expect(standIn.queries).toHaveLength(1);
	});

	test('the stand-in answers a query it cannot run with 400 and PostHog\'s error body', async () => {
		const response = await httpRequest(`${standIn.url}/api/projects/${standIn.projectId}/query/`, {
			method: 'POST',
			headers: { authorization: `Bearer ${standIn.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ query: { kind: 'HogQLQuery', query: 'SELECT nonexistent FROM events' } }),
		});
		expect(response.status).toBe(400);
		expect(JSON.parse(response.body)).toEqual({ type: 'validation_error', code: 'invalid_input', detail: 'Unable to resolve field: nonexistent', attr: null });
	});

	test('a bad key (401), a key without the scope (403) and an unknown project (404) say what to fix', async () => {
		const scoped = await startPostHogQueryStandIn({ keys: { phx_good: ['query:read'], phx_no_query: ['group:read'] } });
		try {
			await expect(pullEvents(environment(scoped, 'phx_wrong'), settings())).rejects.toThrow(
				'PostHog rejected the personal API key (401): Personal API key found in request Authorization header is invalid.',
			);
			await expect(pullEvents(environment(scoped, 'phx_no_query'), settings())).rejects.toThrow(
				"PostHog refused the events query (403): API key missing required scope 'query:read'",
			);
			await expect(pullEvents(environment(scoped, 'phx_good', '999'), settings())).rejects.toThrow('PostHog has no such project (404): Not found.');
			expect(scoped.queries.map((q) => q.status)).toEqual([401, 403, 404]);
		} finally {
			await scoped.close();
		}
	});

	test('an answer without columns/results is an error naming the query, not an empty pull', async () => {
		const env = environment(standIn);
		const broken: PullEnvironment = { ...env, send: async () => ({ status: 200, headers: {}, body: '<html>proxy login</html>' }) };
		await expect(pullEvents(broken, settings())).rejects.toThrow('PostHog answered with something that is not a query result');
	});
});

describe('PostHog query budget', () => {
	test('the 241st query within a minute waits until the first leaves the window', () => {
		const budget = new QueryBudget();
		const start = 1_000_000;
		for (let n = 0; n < 240; n++) {
			expect(budget.delayBeforeNext(start + n)).toBe(0);
			budget.record(start + n);
		}
		expect(budget.delayBeforeNext(start + 240)).toBe(60_000 - 240);
		expect(budget.delayBeforeNext(start + 60_000)).toBe(0);
	});

	test('the hourly limit stops the pull rather than waiting most of an hour', () => {
		const budget = new QueryBudget(240, 2400);
		let now = 0;
		for (let n = 0; n < 2400; n++) {
			now += budget.delayBeforeNext(now)!;
			budget.record(now);
		}
		expect(budget.delayBeforeNext(now)).toBeUndefined();
		expect(budget.delayBeforeNext(now + 3_600_000)).toBe(0);
	});

	test('Retry-After in seconds or as an HTTP date; otherwise doubling up to 30 s', () => {
		const now = Date.parse('2026-05-08T00:00:00Z');
		expect(retryAfterMs('12', now)).toBe(12_000);
		expect(retryAfterMs('Fri, 08 May 2026 00:00:30 GMT', now)).toBe(30_000);
		expect(retryAfterMs('soon', now)).toBeUndefined();
		expect([0, 1, 2, 3, 4, 5, 6].map((attempt) => backoffMs(attempt, undefined, now))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
	});
});

describe('HogQL text', () => {
	test('quotes every value it is given', () => {
		expect(quote("it's a \\ test\n")).toBe("'it\\'s a \\\\ test\\n'");
		const hogql = eventsPageQuery({ eventNames: ["x') OR 1=1 --"], since: timeLiteral(SINCE), until: timeLiteral(UNTIL), pageSize: 5, includePersonProperties: false });
		expect(hogql).toContain("event IN ('x\\') OR 1=1 --')");
	});

	test('times go to PostHog as UTC with microseconds', () => {
		expect(timeLiteral(Date.parse('2026-05-01T12:34:56.789+02:00'))).toBe('2026-05-01 10:34:56.789000');
	});

	test('settings: empty Since is 30 days before Until; bad dates name the parameter', () => {
		const now = Date.parse('2026-05-31T00:00:00Z');
		const read = readPullSettings({ eventNames: 'a, b,,a\nc', since: '', until: '', returnAll: false, limit: 5 }, now);
		expect(read).toEqual({ eventNames: ['a', 'b', 'c'], since: Date.parse('2026-05-01T00:00:00Z'), until: now, pageSize: 10_000, maxEvents: 5, includePersonProperties: true, groupType: undefined });
		expect(() => readPullSettings({ eventNames: '', since: 'last tuesday', until: '', returnAll: true, limit: 1 }, now)).toThrow(
			new PullSettingError('Since', 'Since is not a date: "last tuesday"'),
		);
	});
});
