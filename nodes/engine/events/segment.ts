import {
	EventKind,
	GROUP_EVENT,
	IDENTIFY_EVENT,
	NormalizeOptions,
	PAGE_VIEW_EVENT,
	PqlEvent,
	Properties,
} from './model';
import {
	NOT_AN_OBJECT,
	describeValue,
	isRecord,
	mergeTraits,
	readTimestamp,
	recordOrUndefined,
	throwIfReason,
	toEmail,
	toId,
	toName,
	withDefaults,
} from './generic';

export const SEGMENT_TYPES: ReadonlySet<string> = new Set(['track', 'identify', 'group', 'page', 'screen', 'alias']);

export const SEGMENT_MISSING_ID = 'missing "userId" or "anonymousId"';
export const SEGMENT_MISSING_NAME = 'track call without "event"';
export const SEGMENT_ALIAS_UNSUPPORTED =
	'Segment alias calls are not supported: they only link two user ids (send identify calls instead)';

function segmentKind(type: unknown): EventKind | string {
	switch (type) {
		case 'track':
			return 'track';
		case 'page':
		case 'screen':
			return 'page';
		case 'identify':
			return 'identify';
		case 'group':
			return 'group';
		case 'alias':
			return SEGMENT_ALIAS_UNSUPPORTED;
		case undefined:
		case null:
			return 'missing "type"';
		default:
			return `unknown Segment "type": ${describeValue(type)} (expected track, identify, group, page or screen)`;
	}
}

function isKind(value: EventKind | string): value is EventKind {
	return value === 'track' || value === 'page' || value === 'identify' || value === 'group';
}

/** Segment fills `timestamp` server-side; raw library messages may carry only the others. */
function segmentTime(raw: Record<string, unknown>): number | string {
	if (raw.timestamp != null) return readTimestamp(raw.timestamp, 'timestamp');
	if (raw.sentAt != null) return readTimestamp(raw.sentAt, 'sentAt');
	if (raw.receivedAt != null) return readTimestamp(raw.receivedAt, 'receivedAt');
	return readTimestamp(raw.originalTimestamp, 'originalTimestamp');
}

function eventName(kind: EventKind, raw: Record<string, unknown>): string | undefined {
	if (kind === 'page') return PAGE_VIEW_EVENT;
	if (kind === 'identify') return IDENTIFY_EVENT;
	if (kind === 'group') return GROUP_EVENT;
	return toName(raw.event);
}

/**
 * A Segment spec message: track, identify, group, page or screen (alias is rejected).
 * Only the spec's account fields are read: the group call's `groupId`, then `context.groupId`.
 * Returns the event, or the reason it was rejected.
 */
export function tryNormalizeSegment(raw: Record<string, unknown>, _options?: NormalizeOptions): PqlEvent | string {
	if (!isRecord(raw)) return NOT_AN_OBJECT;
	const kind = segmentKind(raw.type);
	if (!isKind(kind)) return kind;

	const context = recordOrUndefined(raw.context);
	const userId = toId(raw.userId) ?? toId(raw.anonymousId);
	const accountId = (kind === 'group' ? toId(raw.groupId) : undefined) ?? toId(context?.groupId);
	if (userId === undefined && accountId === undefined) return SEGMENT_MISSING_ID;

	const timestamp = segmentTime(raw);
	if (typeof timestamp === 'string') return timestamp;
	const name = eventName(kind, raw);
	if (name === undefined) return SEGMENT_MISSING_NAME;

	const traits = recordOrUndefined(raw.traits);
	const contextTraits = recordOrUndefined(context?.traits);
	// Group traits describe the account; only identify traits describe the person.
	const userTraits = kind === 'identify' ? mergeTraits(contextTraits, traits) : contextTraits;
	let properties: Properties = recordOrUndefined(raw.properties) ?? {};
	if (kind === 'page') properties = withDefaults(properties, { name: toName(raw.name) });

	return {
		id: toId(raw.messageId),
		source: 'segment',
		kind,
		name,
		userId,
		accountId,
		email: toEmail(userTraits?.email ?? properties.email),
		timestamp,
		properties,
		userTraits,
		accountTraits: kind === 'group' ? traits : undefined,
		origin: undefined,
	};
}

export function normalizeSegment(raw: Record<string, unknown>, options: NormalizeOptions = {}): PqlEvent {
	return throwIfReason(tryNormalizeSegment(raw, options));
}
