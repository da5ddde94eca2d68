/**
 * The one event model every source is normalized into. Rules, identity and state only ever see this.
 */
export type EventSource = 'posthog' | 'segment' | 'mixpanel' | 'generic';

/** track: a product action; page: a page or screen view; identify / group: traits only. */
export type EventKind = 'track' | 'page' | 'identify' | 'group';

/** Page and screen views from every source carry this name, so one rule matches them all. */
export const PAGE_VIEW_EVENT = '$pageview';
export const IDENTIFY_EVENT = '$identify';
export const GROUP_EVENT = '$group';

export type Properties = Record<string, unknown>;

export interface PqlEvent {
	/** The source's own id (PostHog `uuid`, Segment `messageId`, Mixpanel `$insert_id`), for dedupe. */
	id: string | undefined;
	source: EventSource;
	kind: EventKind;
	/** Event name as the product sends it; PAGE_VIEW_EVENT / IDENTIFY_EVENT / GROUP_EVENT for the other kinds. */
	name: string;
	/** The person: Segment userId (else anonymousId), PostHog distinct_id, Mixpanel distinct_id. */
	userId: string | undefined;
	/** The account the event explicitly belongs to (PostHog group, Segment groupId), if it says. */
	accountId: string | undefined;
	/** The person's e-mail address, if the event carries one (traits, person properties, properties). */
	email: string | undefined;
	/** Epoch milliseconds. */
	timestamp: number;
	properties: Properties;
	/** Traits of the person carried by this event (identify traits, PostHog person properties, `$set`). */
	userTraits: Properties | undefined;
	/** Traits of the account carried by this event (group traits, PostHog group properties). */
	accountTraits: Properties | undefined;
	/** Where the event came from in the caller's input (the n8n item index), for pairing and errors. */
	origin?: number;
}

export interface NormalizeOptions {
	/** PostHog group type that represents the account (e.g. `company`); empty = the first group present. */
	accountGroupType?: string;
}

/** Thrown by a normalizer for input that is not an event of its source; the message is shown to users. */
export class EventFormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'EventFormatError';
	}
}

/** Track and page events are what users do; identify and group calls only bring traits and links. */
export function isProductEvent(event: PqlEvent): boolean {
	return event.kind === 'track' || event.kind === 'page';
}
