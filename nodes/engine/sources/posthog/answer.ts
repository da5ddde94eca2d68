/**
 * Reading PostHog's query answers: `{columns, types, results, hasMore, limit, offset, …}` with rows
 * as arrays, into the raw PostHog event shape PQL Score reads; and PostHog's error bodies
 * (`{type, code, detail, attr}`) into one sentence.
 */
import { PostHogQueryError } from './errors';
import { EVENT_COLUMNS, isTimeLiteral, timeLiteralToIso, type EventCursor } from './hogql';

export interface QueryAnswer {
	columns: string[];
	results: unknown[][];
	hasMore: boolean | undefined;
}

/** A raw PostHog event, as capture and exports have it (what `nodes/engine/events/posthog.ts` reads). */
export interface PostHogEventItem {
	uuid: string;
	event: string;
	distinct_id: string;
	properties: Record<string, unknown>;
	timestamp: string;
	person_properties?: Record<string, unknown>;
	[key: string]: unknown;
}

/** PostHog answered 200 with something this source cannot read; the description shows the query. */
function unreadable(message: string, hogql: string): PostHogQueryError {
	return new PostHogQueryError(message, 0, `The query was:\n${hogql}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readAnswer(body: unknown, hogql: string): QueryAnswer {
	const parsed = typeof body === 'string' ? parseJson(body) : body;
	if (!isRecord(parsed)) throw unreadable('PostHog answered with something that is not a query result', hogql);
	const { columns, results, hasMore } = parsed;
	if (!Array.isArray(columns) || !columns.every((column) => typeof column === 'string')) {
		throw unreadable('PostHog\'s answer has no "columns" list', hogql);
	}
	if (!Array.isArray(results) || !results.every(Array.isArray)) {
		throw unreadable('PostHog\'s answer has no "results" rows', hogql);
	}
	return { columns, results: results as unknown[][], hasMore: typeof hasMore === 'boolean' ? hasMore : undefined };
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** HogQL returns JSON columns (properties) as JSON text. */
function jsonObject(value: unknown): Record<string, unknown> {
	if (isRecord(value)) return value;
	if (typeof value === 'string' && value !== '') {
		const parsed = parseJson(value);
		if (isRecord(parsed)) return parsed;
	}
	return {};
}

export function rowsAsRecords(answer: QueryAnswer): Array<Record<string, unknown>> {
	return answer.results.map((row) => {
		const record: Record<string, unknown> = {};
		answer.columns.forEach((column, index) => (record[column] = row[index]));
		return record;
	});
}

function requiredText(record: Record<string, unknown>, column: string, row: number, hogql: string): string {
	const value = record[column];
	if (typeof value !== 'string') {
		throw unreadable(`row ${row} of PostHog's answer has no text in column "${column}"`, hogql);
	}
	return value;
}

/** One row of an events page as a PostHog event, plus the cursor just after it. */
export function eventFromRow(record: Record<string, unknown>, row: number, hogql: string): { event: PostHogEventItem; cursor: EventCursor } {
	const c = EVENT_COLUMNS;
	const time = requiredText(record, c.time, row, hogql);
	if (!isTimeLiteral(time)) throw unreadable(`row ${row} of PostHog's answer has an unreadable time: ${time}`, hogql);
	const uuid = requiredText(record, c.uuid, row, hogql);
	const event: PostHogEventItem = {
		uuid,
		event: requiredText(record, c.event, row, hogql),
		distinct_id: requiredText(record, c.distinctId, row, hogql),
		properties: jsonObject(record[c.properties]),
		timestamp: timeLiteralToIso(time),
	};
	if (c.personProperties in record) event.person_properties = jsonObject(record[c.personProperties]);
	return { event, cursor: { time, uuid } };
}

/** Group key → properties, from a groups query. */
export function groupPropertiesFromAnswer(answer: QueryAnswer): Map<string, Record<string, unknown>> {
	const groups = new Map<string, Record<string, unknown>>();
	for (const record of rowsAsRecords(answer)) {
		if (typeof record.key === 'string') groups.set(record.key, jsonObject(record.properties));
	}
	return groups;
}

/** PostHog's error body (`{type, code, detail, attr}`) as one sentence, else the start of the body. */
export function errorDetail(body: unknown): string {
	const parsed = typeof body === 'string' ? parseJson(body) ?? body : body;
	if (isRecord(parsed)) {
		if (typeof parsed.detail === 'string') return parsed.detail;
		if (typeof parsed.error === 'string') return parsed.error;
	}
	const text = typeof parsed === 'string' ? parsed : JSON.stringify(parsed ?? '');
	return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
