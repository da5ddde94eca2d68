import { EventKind, IDENTIFY_EVENT, NormalizeOptions, PAGE_VIEW_EVENT, PqlEvent, Properties } from './model';
import {
	NOT_AN_OBJECT,
	isRecord,
	readTimestamp,
	recordOrUndefined,
	throwIfReason,
	toEmail,
	toId,
	toName,
	withDefaults,
} from './generic';

export const MIXPANEL_PAGE_VIEW = '$mp_web_page_view';
export const MIXPANEL_MISSING_ID = 'missing "properties.distinct_id"';
export const MIXPANEL_MISSING_NAME = 'missing "event"';

function mixpanelKind(name: string): EventKind {
	if (name === MIXPANEL_PAGE_VIEW) return 'page';
	if (name === '$identify') return 'identify';
	return 'track';
}

/** Group analytics keys are plain properties, and may be lists when a user belongs to several groups. */
function accountIdFrom(properties: Properties, accountGroupType: string | undefined): string | undefined {
	if (!accountGroupType) return undefined;
	const key = properties[accountGroupType];
	return toId(Array.isArray(key) ? key[0] : key);
}

function pageProperties(properties: Properties): Properties {
	return withDefaults(properties, { url: properties.$current_url, path: properties.current_url_path });
}

/**
 * A Mixpanel export row `{event, properties: {time (epoch s, or ms with time_in_ms), distinct_id,
 * $insert_id, ...}}`. The account is the group key property named by `accountGroupType`.
 * Returns the event, or the reason it was rejected.
 */
export function tryNormalizeMixpanel(raw: Record<string, unknown>, options: NormalizeOptions = {}): PqlEvent | string {
	if (!isRecord(raw)) return NOT_AN_OBJECT;
	const properties = recordOrUndefined(raw.properties) ?? {};
	const userId = toId(properties.distinct_id);
	const accountId = accountIdFrom(properties, options.accountGroupType?.trim());
	if (userId === undefined && accountId === undefined) return MIXPANEL_MISSING_ID;

	const timestamp = readTimestamp(properties.time, 'properties.time');
	if (typeof timestamp === 'string') return timestamp;
	const eventName = toName(raw.event);
	if (eventName === undefined) return MIXPANEL_MISSING_NAME;

	const kind = mixpanelKind(eventName);
	return {
		id: toId(properties.$insert_id),
		source: 'mixpanel',
		kind,
		name: kind === 'page' ? PAGE_VIEW_EVENT : kind === 'identify' ? IDENTIFY_EVENT : eventName,
		userId,
		accountId,
		email: toEmail(properties.$email ?? properties.email),
		timestamp,
		properties: kind === 'page' ? pageProperties(properties) : properties,
		userTraits: undefined,
		accountTraits: undefined,
		origin: undefined,
	};
}

export function normalizeMixpanel(raw: Record<string, unknown>, options: NormalizeOptions = {}): PqlEvent {
	return throwIfReason(tryNormalizeMixpanel(raw, options));
}
