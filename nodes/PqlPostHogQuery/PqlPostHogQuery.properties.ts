import type { INodeProperties } from 'n8n-workflow';
import { DEFAULT_LOOK_BACK_DAYS, DEFAULT_PAGE_SIZE } from '../engine/sources/posthog/settings';
import { POSTHOG_QUERY_LIMITS } from '../engine/sources/posthog/limits';

export const pqlPostHogQueryProperties: INodeProperties[] = [
	{
		displayName: 'Event Names',
		name: 'eventNames',
		type: 'string',
		default: '',
		placeholder: 'e.g. user_logged_in, teammate_invited, $pageview',
		description: 'Comma-separated event names to pull. Leave empty to pull every event.',
		hint: 'Pull only the events your scoring rules count: fewer rows, faster runs',
	},
	{
		displayName: 'Since',
		name: 'since',
		type: 'dateTime',
		default: '',
		description: `Pull events from this time on. Leave empty for ${DEFAULT_LOOK_BACK_DAYS} days before Until, the longest window of the preset rules.`,
	},
	{
		displayName: 'Until',
		name: 'until',
		type: 'dateTime',
		default: '',
		description: 'Pull events before this time. Leave empty for now.',
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: true,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Include Person Properties',
				name: 'includePersonProperties',
				type: 'boolean',
				default: true,
				description: "Whether to add each event's person properties (e-mail, role…) so PQL Score can group users by company domain and fit rules can read them",
			},
			{
				displayName: 'Add Group Properties',
				name: 'groupType',
				type: 'string',
				default: '',
				placeholder: 'e.g. company',
				description: 'A PostHog group type: the properties of each group the events belong to (size, industry…) are added as $groupidentify items, so fit rules can read them. Needs the Group Read scope.',
			},
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: POSTHOG_QUERY_LIMITS.maxRowsPerQuery },
				default: DEFAULT_PAGE_SIZE,
				description: `Events per query. PostHog returns at most ${POSTHOG_QUERY_LIMITS.maxRowsPerQuery.toLocaleString('en-US')} and stops queries that run longer than about 10 seconds: lower it if PostHog times out.`,
			},
		],
	},
];
