import { parseTimestamp } from '../time';
import {
	EventFormatError,
	EventKind,
	GROUP_EVENT,
	IDENTIFY_EVENT,
	NormalizeOptions,
	PAGE_VIEW_EVENT,
	PqlEvent,
	Properties,
} from './model';

/*
 * Field readers shared by every normalizer. They live here because the generic normalizer is the
 * leaf of the events/ module graph (the vendor normalizers and detect.ts import from it, never back).
 */

export const NOT_AN_OBJECT = 'not an object';
export const MISSING_TIMESTAMP = 'missing timestamp';

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function recordOrUndefined(value: unknown): Properties | undefined {
	return isRecord(value) ? value : undefined;
}

/** Ids arrive as strings or numbers (database keys); anything else, or an empty string, is no id. */
export function toId(value: unknown): string | undefined {
	if (typeof value === 'string') return value.length > 0 ? value : undefined;
	if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
	return undefined;
}

export function toName(value: unknown): string | undefined {
	return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function toEmail(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const email = value.trim().toLowerCase();
	return email.length > 0 ? email : undefined;
}

/** A short, safe rendering of a bad value for an error message. */
export function describeValue(value: unknown): string {
	if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
	const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function notADate(field: string, value: unknown): string {
	return `"${field}" is not a date: ${describeValue(value)}`;
}

function isMissing(value: unknown): boolean {
	return value === undefined || value === null || value === '';
}

/** Epoch ms, or the rejection reason. */
export function readTimestamp(value: unknown, field: string): number | string {
	if (isMissing(value)) return MISSING_TIMESTAMP;
	const timestamp = parseTimestamp(value);
	return timestamp === timestamp ? timestamp : notADate(field, value);
}

/** The properties with `defaults` added where absent; the input is copied only when something is added. */
export function withDefaults(properties: Properties, defaults: Properties): Properties {
	let result = properties;
	for (const key in defaults) {
		const value = defaults[key];
		if (value === undefined || properties[key] !== undefined) continue;
		if (result === properties) result = { ...properties };
		result[key] = value;
	}
	return result;
}

/** Shallow merge where later sources win; shares the only source instead of copying it. */
export function mergeTraits(...sources: (Properties | undefined)[]): Properties | undefined {
	let merged: Properties | undefined;
	let copied = false;
	for (const source of sources) {
		if (source === undefined) continue;
		if (merged === undefined) {
			merged = source;
		} else {
			if (!copied) {
				merged = { ...merged };
				copied = true;
			}
			Object.assign(merged, source);
		}
	}
	return merged;
}

export function throwIfReason<T extends object>(result: T | string): T {
	if (typeof result === 'string') throw new EventFormatError(result);
	return result;
}

// ---------------------------------------------------------------------------------------------

export const GENERIC_MISSING_ID = 'missing "userId" (or "accountId")';
export const GENERIC_MISSING_NAME = 'missing event name ("event" or "name")';

function genericKind(type: unknown, hasName: boolean, hasTraits: boolean, hasAccountTraits: boolean): EventKind | undefined {
	if (type === undefined || type === null || type === '') {
		if (hasName) return 'track';
		if (hasTraits) return 'identify';
		return hasAccountTraits ? 'group' : 'track';
	}
	if (type === 'track' || type === 'page' || type === 'identify' || type === 'group') return type;
	return undefined;
}

function unknownGenericType(type: unknown): string {
	return `unknown "type": ${describeValue(type)} (expected track, page, identify or group)`;
}

/**
 * The flat shape `{userId|user_id, accountId|account_id|groupId, event|name, timestamp|time,
 * properties?, traits?, accountTraits?, email?, id|messageId?, type?}`. On the hot path of bulk
 * loads: each field is read once and `properties` is passed through, not copied.
 * Returns the event, or the reason it was rejected.
 */
export function tryNormalizeGeneric(raw: Record<string, unknown>, _options?: NormalizeOptions): PqlEvent | string {
	if (!isRecord(raw)) return NOT_AN_OBJECT;
	const userId = toId(raw.userId ?? raw.user_id);
	const accountId = toId(raw.accountId ?? raw.account_id ?? raw.groupId);
	if (userId === undefined && accountId === undefined) return GENERIC_MISSING_ID;

	const rawTimestamp = raw.timestamp;
	const time = rawTimestamp ?? raw.time;
	if (isMissing(time)) return MISSING_TIMESTAMP;
	const timestamp = parseTimestamp(time);
	if (timestamp !== timestamp) return notADate(rawTimestamp == null ? 'time' : 'timestamp', time);

	const eventName = toName(raw.event ?? raw.name);
	const traits = recordOrUndefined(raw.traits);
	const rawAccountTraits = recordOrUndefined(raw.accountTraits);
	const kind = genericKind(raw.type, eventName !== undefined, traits !== undefined, rawAccountTraits !== undefined);
	if (kind === undefined) return unknownGenericType(raw.type);

	let name: string;
	let properties = recordOrUndefined(raw.properties) ?? {};
	let userTraits = traits;
	let accountTraits = rawAccountTraits;
	if (kind === 'track') {
		if (eventName === undefined) return GENERIC_MISSING_NAME;
		name = eventName;
	} else if (kind === 'page') {
		name = PAGE_VIEW_EVENT;
		// The given name is the page's name, kept the way Segment page calls keep theirs.
		if (eventName !== undefined && eventName !== PAGE_VIEW_EVENT) properties = withDefaults(properties, { name: eventName });
	} else if (kind === 'identify') {
		name = IDENTIFY_EVENT;
	} else {
		name = GROUP_EVENT;
		// On a group row without accountTraits, `traits` describe the account (as in a Segment group call).
		if (accountTraits === undefined && traits !== undefined) {
			accountTraits = traits;
			userTraits = undefined;
		}
	}

	return {
		id: toId(raw.id ?? raw.messageId),
		source: 'generic',
		kind,
		name,
		userId,
		accountId,
		email: toEmail(raw.email ?? userTraits?.email),
		timestamp,
		properties,
		userTraits,
		accountTraits,
		origin: undefined,
	};
}

export function normalizeGeneric(raw: Record<string, unknown>, options: NormalizeOptions = {}): PqlEvent {
	return throwIfReason(tryNormalizeGeneric(raw, options));
}
