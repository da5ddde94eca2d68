/**
 * The HogQL this source sends. Every value from the user or from PostHog goes through `quote` or a
 * checked time literal, never straight into the text.
 */
import { toIso } from '../../time';

/** A position in the event stream: the last event read, by time then uuid (the tie-breaker). */
export interface EventCursor {
	/** UTC time as HogQL's `toString(timestamp, 'UTC')` prints it: `2026-05-01 12:00:00.123456`. */
	time: string;
	uuid: string;
}

export interface EventsPageQuery {
	/** Empty: every event. */
	eventNames: string[];
	/** Inclusive, HogQL UTC time literal. */
	since: string;
	/** Exclusive, HogQL UTC time literal. */
	until: string;
	pageSize: number;
	includePersonProperties: boolean;
	/** Read only events after this one. */
	after?: EventCursor;
}

/** Column names of an events page, as this source selects them. */
export const EVENT_COLUMNS = {
	uuid: 'uuid',
	event: 'event',
	distinctId: 'distinct_id',
	properties: 'properties',
	time: 'timestamp_utc',
	personProperties: 'person_properties',
} as const;

const TIME_LITERAL = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;

/** A HogQL string literal. */
export function quote(value: string): string {
	const escaped = value.replace(/[\\'\n\r\t\0]/g, (char) => {
		switch (char) {
			case '\n':
				return '\\n';
			case '\r':
				return '\\r';
			case '\t':
				return '\\t';
			case '\0':
				return '\\0';
			default:
				return `\\${char}`;
		}
	});
	return `'${escaped}'`;
}

/** Epoch milliseconds as a UTC time literal with microseconds, the precision of PostHog's timestamps. */
export function timeLiteral(epochMs: number): string {
	const iso = toIso(epochMs);
	if (iso === null) throw new RangeError(`not a time: ${epochMs}`);
	return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

export function isTimeLiteral(value: string): boolean {
	return TIME_LITERAL.test(value);
}

/** `2026-05-01 12:00:00.123456` → `2026-05-01T12:00:00.123456Z`. */
export function timeLiteralToIso(value: string): string {
	return `${value.replace(' ', 'T')}Z`;
}

function utcTime(literal: string): string {
	if (!isTimeLiteral(literal)) throw new RangeError(`not a HogQL UTC time: ${JSON.stringify(literal)}`);
	return `toDateTime(${quote(literal)}, 6, 'UTC')`;
}

/**
 * One page of events, oldest first: `WHERE timestamp >= {since} … ORDER BY timestamp, uuid LIMIT n`.
 * After a cursor, the page starts at the cursor's time and skips the events of that exact time up to
 * and including the cursor's uuid: events sharing a timestamp are neither repeated nor lost. No OFFSET.
 */
export function eventsPageQuery(query: EventsPageQuery): string {
	const c = EVENT_COLUMNS;
	const columns = [
		c.uuid,
		c.event,
		c.distinctId,
		c.properties,
		`toString(timestamp, 'UTC') AS ${c.time}`,
		...(query.includePersonProperties ? [`person.properties AS ${c.personProperties}`] : []),
	];
	const from = query.after ? query.after.time : query.since;
	const where = [`timestamp >= ${utcTime(from)}`, `timestamp < ${utcTime(query.until)}`];
	if (query.eventNames.length > 0) where.push(`event IN (${query.eventNames.map(quote).join(', ')})`);
	if (query.after) {
		where.push(`(timestamp > ${utcTime(query.after.time)} OR toString(uuid) > ${quote(query.after.uuid)})`);
	}
	return [
		`SELECT ${columns.join(', ')}`,
		'FROM events',
		`WHERE ${where.join(' AND ')}`,
		'ORDER BY timestamp ASC, toString(uuid) ASC',
		`LIMIT ${Math.floor(query.pageSize)}`,
	].join('\n');
}

/** Properties of the groups (accounts) of one group type, by key. */
export function groupPropertiesQuery(groupTypeIndex: number, keys: string[]): string {
	return [
		'SELECT key, properties',
		'FROM groups',
		`WHERE index = ${Math.floor(groupTypeIndex)} AND key IN (${keys.map(quote).join(', ')})`,
		'ORDER BY key ASC',
		`LIMIT ${keys.length}`,
	].join('\n');
}
