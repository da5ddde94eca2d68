/**
 * A stand-in for PostHog's query API, answering as posthog.com does (2026):
 * - `POST /api/projects/:id/query/` with `{"query": {"kind": "HogQLQuery", "query": "SELECT …"}}` and
 *   `Authorization: Bearer <personal API key>` → `{columns, types, results, hasMore, limit, offset,
 *   hogql, timings, error, …}`; the HogQL runs on in-memory `events` and `groups` (./hogqlSubset.ts);
 *   100 rows without LIMIT, at most 50,000 with one; `hasMore` when more rows match.
 * - `GET /api/projects/:id/groups_types/` → `[{group_type, group_type_index, …}]`.
 * - Errors in PostHog's body shape `{type, code, detail, attr}`: 401 for an unknown key, 403 for a key
 *   lacking the scope or the project, 404 for an unknown project, 400 for a query it cannot run,
 *   429 past 240 queries a minute or 3 at once (with Retry-After), and scripted 429 / 500 answers.
 * Every query is recorded with its HogQL, so tests can prove how a client pages.
 */
import { HogQLError, parseMicros, parseSelect, runSelect, type Row } from './hogqlSubset';
import { startVendorServer, type RecordedRequest, type VendorAnswer, type VendorServer, type VendorServerOptions } from './vendorServer';

export interface StandInEvent {
	uuid: string;
	event: string;
	distinct_id: string;
	properties: Record<string, unknown>;
	/** UTC: `2026-05-01T12:00:00.123456Z` (up to µs). */
	timestamp: string;
	person_properties?: Record<string, unknown>;
}

export interface StandInGroup {
	index: number;
	key: string;
	properties: Record<string, unknown>;
}

export const POSTHOG_HOSTS = ['us.posthog.com', 'eu.posthog.com'];

export interface PostHogStandInOptions extends VendorServerOptions {
	projectId?: string;
	/** Personal API key → its scopes. Default: one key with query:read and group:read. */
	keys?: Record<string, string[]>;
	events?: StandInEvent[];
	groups?: StandInGroup[];
	groupTypes?: Array<{ group_type: string; group_type_index: number }>;
	/** Slows every query down, to make concurrency visible. */
	queryDelayMs?: number;
}

export interface RecordedQuery {
	hogql: string;
	status: number;
	rows: number;
	receivedAt: number;
}

export interface ScriptedAnswer {
	status: 400 | 429 | 500 | 502 | 503;
	retryAfter?: string;
	/** For a 400: PostHog's `detail`. */
	detail?: string;
}

export interface PostHogStandIn {
	readonly url: string;
	readonly projectId: string;
	readonly apiKey: string;
	readonly server: VendorServer;
	readonly queries: RecordedQuery[];
	/** The next queries get these answers, in order, before any real one. */
	script(...answers: ScriptedAnswer[]): void;
	close(): Promise<void>;
}

export const POSTHOG_STAND_IN_KEY = 'phx_stand_in_personal_key';
const MAX_ROWS = 50_000;
const PER_MINUTE = 240;
const CONCURRENT = 3;

function error(status: number, type: string, code: string, detail: string, headers?: Record<string, string>): VendorAnswer {
	return { status, headers, body: { type, code, detail, attr: null } };
}

const THROTTLED = (seconds: number) =>
	error(429, 'throttled_error', 'throttled', `Request was throttled. Expected available in ${seconds} seconds.`, { 'retry-after': String(seconds) });

function eventRow(event: StandInEvent): Row {
	return {
		uuid: event.uuid,
		event: event.event,
		distinct_id: event.distinct_id,
		properties: event.properties,
		timestamp: { time: parseMicros(event.timestamp) },
		'person.properties': event.person_properties ?? {},
	};
}

function groupRow(group: StandInGroup): Row {
	return { index: group.index, key: group.key, properties: group.properties };
}

export async function startPostHogQueryStandIn(options: PostHogStandInOptions = {}): Promise<PostHogStandIn> {
	const projectId = options.projectId ?? '4242';
	const keys = options.keys ?? { [POSTHOG_STAND_IN_KEY]: ['query:read', 'group:read'] };
	const events = (options.events ?? []).map(eventRow);
	const groups = (options.groups ?? []).map(groupRow);
	const queries: RecordedQuery[] = [];
	const scripted: ScriptedAnswer[] = [];
	let running = 0;

	function authorize(request: RecordedRequest, scope: string): VendorAnswer | undefined {
		const auth = request.headers.authorization ?? '';
		const key = /^Bearer (.+)$/.exec(auth)?.[1];
		if (key === undefined) return error(401, 'authentication_error', 'not_authenticated', 'Authentication credentials were not provided.');
		if (!(key in keys)) return error(401, 'authentication_error', 'authentication_failed', 'Personal API key found in request Authorization header is invalid.');
		if (!keys[key].includes(scope)) return error(403, 'authentication_error', 'permission_denied', `API key missing required scope '${scope}'`);
		return undefined;
	}

	function projectOf(request: RecordedRequest, suffix: string): string | undefined {
		return new RegExp(`^/api/(?:projects|environments)/([^/]+)/${suffix}/?$`).exec(request.path)?.[1];
	}

	async function query(request: RecordedRequest): Promise<VendorAnswer> {
		const body = request.body as { query?: { kind?: string; query?: string } } | undefined;
		const hogql = body?.query?.query ?? '';
		const record = (answer: VendorAnswer, rows = 0) => {
			queries.push({ hogql, status: answer.status, rows, receivedAt: request.receivedAt });
			return answer;
		};
		const lastMinute = queries.filter((q) => q.receivedAt > request.receivedAt - 60_000).length;
		if (running >= CONCURRENT) return record(error(429, 'throttled_error', 'throttled', 'Too many concurrent queries.', { 'retry-after': '1' }));
		if (lastMinute >= PER_MINUTE) return record(THROTTLED(60));
		const next = scripted.shift();
		if (next?.status === 429) {
			const answer = THROTTLED(Number(next.retryAfter ?? 0));
			if (next.retryAfter === undefined) delete answer.headers!['retry-after'];
			return record(answer);
		}
		if (next?.status === 400) return record(error(400, 'validation_error', 'invalid_input', next.detail ?? 'Query error'));
		if (next) return record(error(next.status, 'server_error', 'error', 'A server error occurred.'));
		if (body?.query?.kind !== 'HogQLQuery') return record(error(400, 'validation_error', 'invalid_input', `Unknown query kind: ${body?.query?.kind}`));
		running++;
		try {
			if (options.queryDelayMs) await new Promise((resolve) => setTimeout(resolve, options.queryDelayMs));
			const select = parseSelect(hogql);
			const table = select.table === undefined ? [{}] : select.table === 'events' ? events : select.table === 'groups' ? groups : undefined;
			if (table === undefined) throw new HogQLError(`Unknown table "${select.table}".`);
			const result = runSelect(select, table, MAX_ROWS);
			const answer: VendorAnswer = {
				status: 200,
				body: {
					cache_key: `cache_${queries.length}`,
					is_cached: false,
					columns: result.columns,
					types: result.columns.map((column) => [column, 'String']),
					results: result.results,
					hasMore: result.hasMore,
					limit: result.limit,
					offset: result.offset,
					hogql,
					timings: [],
					error: null,
					modifiers: {},
					query_status: null,
				},
			};
			return record(answer, result.results.length);
		} catch (caught) {
			if (caught instanceof HogQLError) return record(error(400, 'validation_error', 'invalid_input', caught.message));
			throw caught;
		} finally {
			running--;
		}
	}

	const server = await startVendorServer(async (request) => {
		const isQuery = request.method === 'POST' && projectOf(request, 'query') !== undefined;
		const isGroupTypes = request.method === 'GET' && projectOf(request, 'groups_types') !== undefined;
		if (!isQuery && !isGroupTypes) return error(404, 'invalid_request', 'not_found', 'Not found.');
		const denied = authorize(request, isQuery ? 'query:read' : 'group:read');
		if (denied) {
			if (isQuery) queries.push({ hogql: '', status: denied.status, rows: 0, receivedAt: request.receivedAt });
			return denied;
		}
		const id = projectOf(request, isQuery ? 'query' : 'groups_types');
		if (id !== projectId) {
			if (isQuery) queries.push({ hogql: '', status: 404, rows: 0, receivedAt: request.receivedAt });
			return error(404, 'invalid_request', 'not_found', 'Not found.');
		}
		if (isGroupTypes) {
			const types = (options.groupTypes ?? []).map((type) => ({ ...type, name_singular: null, name_plural: null, detail_dashboard: null, default_columns: null, created_at: null }));
			return { status: 200, body: types };
		}
		return await query(request);
	}, options);

	return {
		url: server.url,
		projectId,
		apiKey: Object.keys(keys)[0],
		server,
		queries,
		script: (...answers) => scripted.push(...answers),
		close: () => server.close(),
	};
}
