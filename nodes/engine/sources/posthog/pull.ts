/**
 * Pulls events from PostHog's query API page by page, oldest first, paging on (timestamp, uuid),
 * within PostHog's limits. HTTP, waiting and the clock are handed in, so the n8n node supplies
 * its own request helper and `sleep`, and a test can drive every branch.
 */
import { errorDetail, eventFromRow, groupPropertiesFromAnswer, readAnswer, rowsAsRecords, type PostHogEventItem, type QueryAnswer } from './answer';
import { PostHogQueryError, PullSettingError } from './errors';
import { eventsPageQuery, groupPropertiesQuery, timeLiteral, type EventCursor } from './hogql';
import { backoffMs, MAX_RETRIES, MAX_SINGLE_WAIT_MS, POSTHOG_QUERY_LIMITS, QueryBudget } from './limits';

export { PostHogQueryError, PullSettingError };

/** Relative to `{host}/api/projects/{projectId}/`. */
export interface PostHogRequest {
	method: 'GET' | 'POST';
	path: 'query/' | 'groups_types/';
	body?: Record<string, unknown>;
}

export interface PostHogResponse {
	status: number;
	headers: Record<string, unknown>;
	body: unknown;
}

export interface PullEnvironment {
	send(request: PostHogRequest): Promise<PostHogResponse>;
	sleep(ms: number): Promise<void>;
	now(): number;
}

export interface PullSettings {
	/** Empty: every event. */
	eventNames: string[];
	/** Epoch ms, inclusive. */
	since: number;
	/** Epoch ms, exclusive. */
	until: number;
	pageSize: number;
	/** Stop after this many events; undefined: all of them. */
	maxEvents?: number;
	includePersonProperties: boolean;
	/** Add the properties of each event's group of this type (e.g. `company`) as `$groupidentify` items. */
	groupType?: string;
}

export interface PullResult {
	events: PostHogEventItem[];
	/** One `$groupidentify` per group of `groupType` the events belong to, with the group's properties. */
	groups: PostHogEventItem[];
	queries: number;
	pages: number;
	retries: number;
}

const GROUP_KEYS_PER_QUERY = 1_000;

export function validateSettings(settings: PullSettings): void {
	const { pageSize, since, until, maxEvents } = settings;
	if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > POSTHOG_QUERY_LIMITS.maxRowsPerQuery) {
		throw new PullSettingError('Page Size', `Page Size must be a whole number from 1 to ${POSTHOG_QUERY_LIMITS.maxRowsPerQuery} (PostHog's limit per query), not ${pageSize}`);
	}
	if (!Number.isFinite(since)) throw new PullSettingError('Since', 'Since is not a date');
	if (!Number.isFinite(until)) throw new PullSettingError('Until', 'Until is not a date');
	if (since >= until) {
		throw new PullSettingError('Since', `Since (${new Date(since).toISOString()}) must be before Until (${new Date(until).toISOString()})`);
	}
	if (maxEvents !== undefined && (!Number.isInteger(maxEvents) || maxEvents < 1)) {
		throw new PullSettingError('Limit', `Limit must be a whole number of at least 1, not ${maxEvents}`);
	}
	for (const name of settings.eventNames) {
		if (name.trim() === '') throw new PullSettingError('Event Names', 'Event Names has an empty name');
	}
}

function header(headers: Record<string, unknown>, name: string): string | undefined {
	const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
	const value = key === undefined ? undefined : headers[key];
	if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
	return value === undefined || value === null ? undefined : String(value);
}

function failure(status: number, body: unknown, what: string): PostHogQueryError {
	const detail = errorDetail(body);
	switch (status) {
		case 400:
			return new PostHogQueryError(`PostHog could not run the ${what} (400): ${detail}`, status, 'Check Event Names, Since and Until.');
		case 401:
			return new PostHogQueryError(`PostHog rejected the personal API key (401): ${detail}`, status, 'Check the API key in the PostHog Query API credential.');
		case 403:
			return new PostHogQueryError(`PostHog refused the ${what} (403): ${detail}`, status, 'The personal API key needs the Query Read scope (and Group Read for group properties) and access to the project in the credential.');
		case 404:
			return new PostHogQueryError(`PostHog has no such project (404): ${detail}`, status, 'Check the Project ID and host in the PostHog Query API credential.');
		default:
			return new PostHogQueryError(`PostHog answered ${status} to the ${what}: ${detail}`, status, 'PostHog or the network failed; the node retried before giving up.');
	}
}

function retryable(status: number): boolean {
	return status === 429 || status === 408 || status >= 500;
}

class Puller {
	private readonly budget = new QueryBudget();
	retries = 0;

	constructor(private readonly env: PullEnvironment) {}

	get queries(): number {
		return this.budget.sent;
	}

	async send(request: PostHogRequest, what: string): Promise<unknown> {
		for (let attempt = 0; ; attempt++) {
			await this.waitForBudget();
			this.budget.record(this.env.now());
			const response = await this.env.send(request);
			if (response.status >= 200 && response.status < 300) return response.body;
			if (!retryable(response.status) || attempt >= MAX_RETRIES) {
				const error = failure(response.status, response.body, what);
				if (retryable(response.status)) error.message += ` (after ${attempt} retries)`;
				throw error;
			}
			const wait = backoffMs(attempt, header(response.headers, 'retry-after'), this.env.now());
			if (wait > MAX_SINGLE_WAIT_MS) {
				throw new PostHogQueryError(
					`PostHog's rate limit: it asks to wait ${Math.ceil(wait / 1000)} s before the next query (429)`,
					response.status,
					`PostHog allows ${POSTHOG_QUERY_LIMITS.queriesPerMinute} queries a minute and ${POSTHOG_QUERY_LIMITS.queriesPerHour} an hour per project. Run the workflow less often or later.`,
				);
			}
			this.retries++;
			await this.env.sleep(wait);
		}
	}

	async query(hogql: string, what: string): Promise<QueryAnswer> {
		const body = await this.send({ method: 'POST', path: 'query/', body: { query: { kind: 'HogQLQuery', query: hogql }, name: `n8n-nodes-pql ${what}` } }, what);
		return readAnswer(body, hogql);
	}

	private async waitForBudget(): Promise<void> {
		const wait = this.budget.delayBeforeNext(this.env.now());
		if (wait === undefined) {
			throw new PostHogQueryError(
				`Stopped before PostHog's rate limit: this pull has sent ${POSTHOG_QUERY_LIMITS.queriesPerHour} queries within an hour`,
				429,
				'Narrow Since, Until or Event Names, or raise Page Size.',
			);
		}
		if (wait > 0) await this.env.sleep(wait);
	}
}

async function pullEventPages(puller: Puller, settings: PullSettings): Promise<{ events: PostHogEventItem[]; pages: number }> {
	const events: PostHogEventItem[] = [];
	const since = timeLiteral(settings.since);
	const until = timeLiteral(settings.until);
	let after: EventCursor | undefined;
	let pages = 0;
	for (;;) {
		const remaining = settings.maxEvents === undefined ? Infinity : settings.maxEvents - events.length;
		const pageSize = Math.min(settings.pageSize, remaining);
		const hogql = eventsPageQuery({ eventNames: settings.eventNames, since, until, pageSize, includePersonProperties: settings.includePersonProperties, after });
		const answer = await puller.query(hogql, 'events query');
		pages++;
		const records = rowsAsRecords(answer);
		records.forEach((record, row) => {
			const read = eventFromRow(record, row, hogql);
			events.push(read.event);
			after = read.cursor;
		});
		const full = records.length >= pageSize;
		if (records.length === 0 || events.length >= (settings.maxEvents ?? Infinity) || !(full || answer.hasMore === true)) break;
	}
	return { events, pages };
}

/** The groups of one type that the events belong to (`properties.$groups`), in order of first event. */
function groupsOfEvents(events: PostHogEventItem[], groupType: string): Map<string, string> {
	const firstSeen = new Map<string, string>();
	for (const event of events) {
		const membership = event.properties.$groups;
		if (typeof membership !== 'object' || membership === null) continue;
		const key = (membership as Record<string, unknown>)[groupType];
		if ((typeof key === 'string' && key !== '') || typeof key === 'number') {
			if (!firstSeen.has(String(key))) firstSeen.set(String(key), event.timestamp);
		}
	}
	return firstSeen;
}

interface GroupType {
	group_type: string;
	group_type_index: number;
}

async function groupTypeIndex(puller: Puller, groupType: string): Promise<number> {
	const body = await puller.send({ method: 'GET', path: 'groups_types/' }, 'group types request');
	const list = Array.isArray(body) ? body : (body as { results?: unknown })?.results;
	const types = (Array.isArray(list) ? list : []) as GroupType[];
	const found = types.find((type) => type.group_type === groupType);
	if (found === undefined || typeof found.group_type_index !== 'number') {
		const known = types.map((type) => type.group_type).join(', ') || 'none';
		throw new PullSettingError('Add Group Properties', `The PostHog project has no group type "${groupType}" (its group types: ${known})`);
	}
	return found.group_type_index;
}

/** `$groupidentify` events as posthog-node sends them (distinct_id `$<type>_<key>`), one per group. */
async function pullGroups(puller: Puller, events: PostHogEventItem[], groupType: string): Promise<PostHogEventItem[]> {
	// Looked up even when no event has a group, so a misspelt type is reported, not silently ignored.
	const index = await groupTypeIndex(puller, groupType);
	const firstSeen = groupsOfEvents(events, groupType);
	const keys = [...firstSeen.keys()];
	const groups: PostHogEventItem[] = [];
	for (let start = 0; start < keys.length; start += GROUP_KEYS_PER_QUERY) {
		const chunk = keys.slice(start, start + GROUP_KEYS_PER_QUERY);
		const properties = groupPropertiesFromAnswer(await puller.query(groupPropertiesQuery(index, chunk), 'group properties query'));
		for (const key of chunk) {
			const set = properties.get(key);
			if (set === undefined) continue;
			groups.push({
				uuid: `group-${groupType}-${key}`,
				event: '$groupidentify',
				distinct_id: `$${groupType}_${key}`,
				properties: { $group_type: groupType, $group_key: key, $group_set: set },
				timestamp: firstSeen.get(key)!,
			});
		}
	}
	return groups;
}

export async function pullEvents(env: PullEnvironment, settings: PullSettings): Promise<PullResult> {
	validateSettings(settings);
	const puller = new Puller(env);
	const { events, pages } = await pullEventPages(puller, settings);
	const groupType = settings.groupType?.trim();
	const groups = groupType ? await pullGroups(puller, events, groupType) : [];
	return { events, groups, queries: puller.queries, pages, retries: puller.retries };
}
