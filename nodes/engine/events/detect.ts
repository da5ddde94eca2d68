import { EventFormatError, EventSource, NormalizeOptions, PqlEvent } from './model';
import { NOT_AN_OBJECT, isRecord, tryNormalizeGeneric } from './generic';
import { tryNormalizeMixpanel } from './mixpanel';
import { tryNormalizePostHog } from './posthog';
import { SEGMENT_TYPES, tryNormalizeSegment } from './segment';

export const UNRECOGNISED_SHAPE =
	'unrecognised event shape (expected PostHog, Segment, Mixpanel or {userId, event, timestamp})';

type TryNormalize = (raw: Record<string, unknown>, options: NormalizeOptions) => PqlEvent | string;

const NORMALIZERS: Record<EventSource, TryNormalize> = {
	posthog: tryNormalizePostHog,
	segment: tryNormalizeSegment,
	mixpanel: tryNormalizeMixpanel,
	generic: tryNormalizeGeneric,
};

export interface NormalizedBatch {
	events: PqlEvent[];
	rejected: { index: number; reason: string }[];
}

function isPostHog(raw: Record<string, unknown>): boolean {
	// Destination body: `event` is the event object. Capture/export: top-level distinct_id.
	return isRecord(raw.event) || (typeof raw.event === 'string' && raw.distinct_id !== undefined);
}

/**
 * An export row is `{event, properties}` with the time and user inside properties. Rows whose time
 * is bad or missing still count, so they are rejected with a Mixpanel reason, not a generic one.
 */
function isMixpanel(raw: Record<string, unknown>): boolean {
	const properties = raw.properties;
	return (
		typeof raw.event === 'string' &&
		isRecord(properties) &&
		(properties.time !== undefined || properties.distinct_id !== undefined) &&
		raw.timestamp === undefined &&
		raw.time === undefined &&
		raw.type === undefined
	);
}

/** Fields of the generic shape that no Segment spec message has at its top level. */
function hasGenericOnlyFields(raw: Record<string, unknown>): boolean {
	return (
		raw.accountId !== undefined ||
		raw.account_id !== undefined ||
		raw.user_id !== undefined ||
		raw.accountTraits !== undefined ||
		(raw.groupId !== undefined && raw.type !== 'group')
	);
}

function isSegment(raw: Record<string, unknown>): boolean {
	return (
		typeof raw.type === 'string' &&
		SEGMENT_TYPES.has(raw.type) &&
		(raw.messageId !== undefined || raw.userId !== undefined || raw.anonymousId !== undefined) &&
		!hasGenericOnlyFields(raw)
	);
}

function isGeneric(raw: Record<string, unknown>): boolean {
	return (
		typeof raw.event === 'string' ||
		typeof raw.name === 'string' ||
		raw.userId !== undefined ||
		raw.user_id !== undefined ||
		raw.accountId !== undefined ||
		raw.account_id !== undefined ||
		raw.groupId !== undefined ||
		isRecord(raw.traits)
	);
}

/** Which source a raw event comes from, by cheap shape checks; undefined when none fits. */
export function detectSource(raw: unknown): EventSource | undefined {
	if (!isRecord(raw)) return undefined;
	if (isPostHog(raw)) return 'posthog';
	if (isMixpanel(raw)) return 'mixpanel';
	if (isSegment(raw)) return 'segment';
	if (isGeneric(raw)) return 'generic';
	return undefined;
}

/** The event, or the reason it was rejected (never throws). */
export function tryNormalizeEvent(
	raw: unknown,
	source: EventSource | 'auto',
	options: NormalizeOptions = {},
): PqlEvent | string {
	if (!isRecord(raw)) return NOT_AN_OBJECT;
	const resolved = source === 'auto' ? detectSource(raw) : source;
	if (resolved === undefined) return UNRECOGNISED_SHAPE;
	const event = NORMALIZERS[resolved](raw, options);
	if (typeof event !== 'string') event.name = sharedName(event.name);
	return event;
}

const names = new Map<string, string>();
const MAX_SHARED_NAMES = 10_000;

/**
 * One string per event name: names key the counts and measures of every account, and a key used
 * before is found at once, while each parsed copy of it would be looked up by its characters.
 */
function sharedName(name: string): string {
	const known = names.get(name);
	if (known !== undefined) return known;
	if (names.size < MAX_SHARED_NAMES) names.set(name, name);
	return name;
}

/** Throws EventFormatError with a message fit for users. */
export function normalizeEvent(raw: unknown, source: EventSource | 'auto', options: NormalizeOptions = {}): PqlEvent {
	const result = tryNormalizeEvent(raw, source, options);
	if (typeof result === 'string') throw new EventFormatError(result);
	return result;
}

/**
 * The raw events in a request body: a single event, a JSON array of events (Segment Actions,
 * Mixpanel import), or `{batch: [...]}` (Segment HTTP API `/v1/batch`, @segment/analytics-node).
 */
export function expandPayload(body: unknown): unknown[] {
	if (body === undefined || body === null) return [];
	if (Array.isArray(body)) return body;
	if (isRecord(body) && Array.isArray(body.batch)) return body.batch;
	return [body];
}

/**
 * Normalizes every raw event; never throws. Each event's `origin` is its index in `raws`, and each
 * raw that cannot be used is reported once in `rejected` as `event <index>: <reason>`.
 */
export function normalizeEvents(
	raws: unknown[],
	source: EventSource | 'auto',
	options: NormalizeOptions = {},
): NormalizedBatch {
	const events: PqlEvent[] = [];
	const rejected: NormalizedBatch['rejected'] = [];
	for (let index = 0; index < raws.length; index++) {
		const result = tryNormalizeEvent(raws[index], source, options);
		if (typeof result === 'string') {
			rejected.push({ index, reason: `event ${index}: ${result}` });
		} else {
			result.origin = index;
			events.push(result);
		}
	}
	return { events, rejected };
}
