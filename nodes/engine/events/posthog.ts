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

export const POSTHOG_MISSING_ID = 'missing "distinct_id"';
export const POSTHOG_MISSING_NAME = 'missing "event"';

interface Account {
	accountId: string | undefined;
	accountTraits: Properties | undefined;
}

const NO_ACCOUNT: Account = { accountId: undefined, accountTraits: undefined };

function postHogKind(name: string): EventKind {
	switch (name) {
		case '$pageview':
		case '$screen':
			return 'page';
		// `$set` is the event PostHog SDKs send for "set person properties" without an identify.
		case '$identify':
		case '$set':
			return 'identify';
		case '$groupidentify':
			return 'group';
		default:
			return 'track';
	}
}

function kindName(kind: EventKind, name: string): string {
	if (kind === 'page') return PAGE_VIEW_EVENT;
	if (kind === 'identify') return IDENTIFY_EVENT;
	if (kind === 'group') return GROUP_EVENT;
	return name;
}

function firstKey(record: Record<string, unknown>): string | undefined {
	for (const key in record) return key;
	return undefined;
}

/** The webhook's `groups` global: `{<type>: {id, type, index, url, properties}}` (`key` in older PostHog). */
function accountFromGroups(groups: Record<string, unknown>, accountType: string | undefined): Account {
	const group = recordOrUndefined(groups[accountType ?? firstKey(groups) ?? '']);
	if (group === undefined) return NO_ACCOUNT;
	const accountId = toId(group.id ?? group.key);
	if (accountId === undefined) return NO_ACCOUNT;
	return { accountId, accountTraits: recordOrUndefined(group.properties) };
}

/** `properties.$groups`: `{<type>: <key>}` on every event captured with groups. */
function accountFromGroupMembership(membership: Record<string, unknown>, accountType: string | undefined): Account {
	const accountId = toId(membership[accountType ?? firstKey(membership) ?? '']);
	return accountId === undefined ? NO_ACCOUNT : { accountId, accountTraits: undefined };
}

/** A `$groupidentify` describes one group: the account when its type is the configured one. */
function accountFromGroupIdentify(properties: Properties, accountType: string | undefined): Account {
	if (accountType !== undefined && properties.$group_type !== accountType) return NO_ACCOUNT;
	const accountId = toId(properties.$group_key);
	return accountId === undefined ? NO_ACCOUNT : { accountId, accountTraits: recordOrUndefined(properties.$group_set) };
}

function resolveAccount(
	kind: EventKind,
	properties: Properties,
	groups: Record<string, unknown> | undefined,
	accountType: string | undefined,
): Account {
	if (kind === 'group') {
		const described = accountFromGroupIdentify(properties, accountType);
		if (described.accountId !== undefined) return described;
	}
	if (groups !== undefined) {
		const account = accountFromGroups(groups, accountType);
		if (account.accountId !== undefined) return account;
	}
	const membership = recordOrUndefined(properties.$groups);
	return membership === undefined ? NO_ACCOUNT : accountFromGroupMembership(membership, accountType);
}

/**
 * posthog-node sends `$groupidentify` without a user as distinct_id `$<type>_<key>`; that is not a
 * person, and counting it as one would add a phantom active user to the account.
 */
function isSyntheticGroupDistinctId(distinctId: string, properties: Properties): boolean {
	return distinctId === `$${String(properties.$group_type)}_${String(properties.$group_key)}`;
}

function pageProperties(name: string, properties: Properties): Properties {
	return withDefaults(properties, {
		url: properties.$current_url,
		path: properties.$pathname,
		name: name === '$screen' ? properties.$screen_name : undefined,
	});
}

/**
 * (a) The HTTP webhook destination's default body `{event: {...}, person: {...}, groups?: {...}}`, or
 * (b) a raw PostHog event `{uuid, event, distinct_id, properties, timestamp}` (capture / export).
 * Returns the event, or the reason it was rejected.
 */
export function tryNormalizePostHog(raw: Record<string, unknown>, options: NormalizeOptions = {}): PqlEvent | string {
	if (!isRecord(raw)) return NOT_AN_OBJECT;
	const destinationEvent = recordOrUndefined(raw.event);
	const event = destinationEvent ?? raw;
	const personProperties = destinationEvent
		? recordOrUndefined(recordOrUndefined(raw.person)?.properties)
		: recordOrUndefined(raw.person_properties);
	const groups = destinationEvent ? recordOrUndefined(raw.groups) : undefined;

	const eventName = toName(event.event);
	const rawProperties = recordOrUndefined(event.properties) ?? {};
	const kind = postHogKind(eventName ?? '');
	const account = resolveAccount(kind, rawProperties, groups, options.accountGroupType?.trim() || undefined);
	let userId = toId(event.distinct_id);
	if (kind === 'group' && userId !== undefined && isSyntheticGroupDistinctId(userId, rawProperties)) userId = undefined;
	if (userId === undefined && account.accountId === undefined) return POSTHOG_MISSING_ID;

	const timestamp = readTimestamp(event.timestamp, 'timestamp');
	if (typeof timestamp === 'string') return timestamp;
	if (eventName === undefined) return POSTHOG_MISSING_NAME;

	// $set_once only fills what the person lacks; $set overwrites what the person has.
	const userTraits = mergeTraits(
		recordOrUndefined(rawProperties.$set_once),
		personProperties,
		recordOrUndefined(rawProperties.$set),
	);
	return {
		id: toId(event.uuid),
		source: 'posthog',
		kind,
		name: kindName(kind, eventName),
		userId,
		accountId: account.accountId,
		email: toEmail(userTraits?.email ?? rawProperties.email),
		timestamp,
		properties: kind === 'page' ? pageProperties(eventName, rawProperties) : rawProperties,
		userTraits,
		accountTraits: account.accountTraits,
		origin: undefined,
	};
}

export function normalizePostHog(raw: Record<string, unknown>, options: NormalizeOptions = {}): PqlEvent {
	return throwIfReason(tryNormalizePostHog(raw, options));
}
