import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/** UI shared by every node that reads product events, so the same choice reads the same everywhere. */

const eventFormats: INodePropertyOptions[] = [
	{ name: 'Detect Automatically', value: 'auto' },
	{ name: 'Flat Events', value: 'generic', description: 'One object per event: {userId, accountId, event, timestamp, properties}' },
	{ name: 'Mixpanel Export', value: 'mixpanel' },
	{ name: 'PostHog', value: 'posthog', description: 'Webhook destination bodies or raw events' },
	{ name: 'Segment', value: 'segment', description: 'Track, identify, group and page calls' },
];

export function eventFormatProperty(formats: string[] = eventFormats.map((format) => String(format.value))): INodeProperties {
	return {
		displayName: 'Event Format',
		name: 'source',
		type: 'options',
		default: 'auto',
		options: eventFormats.filter((format) => formats.includes(String(format.value))),
	};
}

export const accountFromOption: INodeProperties = {
	displayName: 'Account From',
	name: 'accountFrom',
	type: 'options',
	default: 'groupOrEmailDomain',
	options: [
		{ name: 'Group, Else Company E-Mail Domain', value: 'groupOrEmailDomain' },
		{ name: 'Group Only', value: 'group', description: 'PostHog group or Segment groupId' },
		{ name: 'Company E-Mail Domain Only', value: 'emailDomain', description: 'Personal and disposable domains never form an account' },
	],
};

export const accountGroupTypeOption: INodeProperties = {
	displayName: 'PostHog Group Type',
	name: 'accountGroupType',
	type: 'string',
	default: '',
	placeholder: 'e.g. company',
	description: 'The PostHog group type that is your account; empty = the first group on the event. For Mixpanel: the property holding the account ID.',
};
