import type { INodeProperties } from 'n8n-workflow';
import { accountFromOption, accountGroupTypeOption, eventFormatProperty } from '../shared/eventOptions.properties';
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
	{ ...eventFormatProperty(), displayOptions: { show: { inputMode: ['events'] } } },
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
			accountFromOption,
			accountGroupTypeOption,
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
			{
				displayName: 'Only New PQLs Since the Last Run',
				name: 'onlyNewPqls',
				type: 'boolean',
				default: false,
				description: 'Whether to output only PQLs that were not PQLs in the previous run of this workflow (for nightly digests)',
			},
		],
	},
];
