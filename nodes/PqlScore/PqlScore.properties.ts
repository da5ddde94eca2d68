import type { INodeProperties } from 'n8n-workflow';
import { scoringModelProperties } from '../shared/scoringModel.properties';

export const pqlScoreProperties: INodeProperties[] = [
	{
		displayName: 'Input',
		name: 'inputMode',
		type: 'options',
		default: 'events',
		options: [
			{ name: 'Product Events', value: 'events', description: 'PostHog, Segment, Mixpanel or flat events: one per item, or a list per item' },
			{ name: 'Pre-Aggregated Account Rows', value: 'accountRows', description: 'One row per account with measured columns (e.g. from a HogQL or warehouse query)' },
		],
	},
	{
		displayName: 'Events Field',
		name: 'eventsField',
		type: 'string',
		default: '',
		placeholder: 'e.g. body',
		description: 'Leave empty when each item is an event. Otherwise the field holding an event, a list of events or a Segment {batch}.',
		hint: 'For items from a Webhook node, use body',
		displayOptions: { show: { inputMode: ['events'] } },
	},
	{
		displayName: 'Event Format',
		name: 'source',
		type: 'options',
		default: 'auto',
		options: [
			{ name: 'Detect Automatically', value: 'auto' },
			{ name: 'Flat Events ({userId, accountId, event, timestamp})', value: 'generic' },
			{ name: 'Mixpanel Export', value: 'mixpanel' },
			{ name: 'PostHog', value: 'posthog', description: 'Webhook destination bodies or raw events' },
			{ name: 'Segment', value: 'segment', description: 'Track, identify, group and page calls' },
		],
		displayOptions: { show: { inputMode: ['events'] } },
	},
	{
		displayName: 'Score Per',
		name: 'level',
		type: 'options',
		default: 'account',
		options: [
			{ name: 'Account', value: 'account', description: 'Roll up the behaviour of every user of an account' },
			{ name: 'User', value: 'user' },
		],
		displayOptions: { show: { inputMode: ['events'] } },
	},
	{
		displayName: 'Account ID Column',
		name: 'idField',
		type: 'string',
		default: '',
		placeholder: 'e.g. account_id',
		description: 'Empty = the first of accountId, account_id, ID, domain. Rules read the column named after them in snake_case (e.g. frequent_logins) unless the JSON rule sets "column".',
		displayOptions: { show: { inputMode: ['accountRows'] } },
	},
	...scoringModelProperties,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Account From',
				name: 'accountFrom',
				type: 'options',
				default: 'groupOrEmailDomain',
				options: [
					{ name: 'Group, Else Company E-Mail Domain', value: 'groupOrEmailDomain' },
					{ name: 'Group Only', value: 'group', description: 'PostHog group or Segment groupId' },
					{ name: 'Company E-Mail Domain Only', value: 'emailDomain', description: 'Personal and disposable domains never form an account' },
				],
			},
			{
				displayName: 'PostHog Group Type',
				name: 'accountGroupType',
				type: 'string',
				default: '',
				placeholder: 'e.g. company',
				description: 'The PostHog group type that is your account; empty = the first group on the event. For Mixpanel: the property holding the account ID.',
			},
			{
				displayName: 'Score As Of',
				name: 'asOf',
				type: 'dateTime',
				default: '',
				description: 'Windows end at this moment and later events are ignored; empty = now. Use a past date to see scores as they were.',
			},
			{
				displayName: 'Only Output PQLs',
				name: 'onlyPqls',
				type: 'boolean',
				default: false,
				description: 'Whether to leave out accounts below the threshold',
			},
		],
	},
];
