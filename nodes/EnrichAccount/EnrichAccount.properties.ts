import type { INodeProperties } from 'n8n-workflow';
import { DEFAULT_DOMAIN_FIELDS } from '../engine/enrich/input';

// Number defaults are written out because n8n's linter wants literals; test/nodes/enrichAccount.test.ts
// checks that they equal the engine's defaults (cache.ts, retry.ts, config.ts).

const providerOptions = [
	{ name: 'Apollo', value: 'apollo' },
	{ name: 'Hunter', value: 'hunter' },
	{ name: 'People Data Labs', value: 'peopleDataLabs' },
];

const showFit = { show: { icpFit: [true] } };

export const enrichAccountProperties: INodeProperties[] = [
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		default: 'apollo',
		options: [
			{ name: 'Apollo', value: 'apollo' },
			{ name: 'Hunter', value: 'hunter' },
			{ name: 'People Data Labs', value: 'peopleDataLabs' },
			{ name: 'Waterfall (Several Providers)', value: 'waterfall', description: 'Try providers in the order given until one has a match' },
		],
	},
	{
		displayName: 'Waterfall Order',
		name: 'waterfall',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Provider',
		default: { providers: [{ provider: 'apollo' }, { provider: 'peopleDataLabs' }, { provider: 'hunter' }] },
		description: 'Providers tried first to last; a provider out of credits or with a rejected key is skipped for the rest of the execution',
		displayOptions: { show: { provider: ['waterfall'] } },
		options: [
			{
				displayName: 'Providers',
				name: 'providers',
				values: [{ displayName: 'Provider', name: 'provider', type: 'options', default: 'apollo', options: providerOptions }],
			},
		],
	},
	{
		displayName: 'Domain or E-Mail Fields',
		name: 'domainFields',
		type: 'string',
		default: DEFAULT_DOMAIN_FIELDS.join(', '),
		description: 'Field paths separated by commas: the first holding a domain, a website, an e-mail address or a list of users with e-mails is used. Personal and disposable domains get no paid look-up.',
	},
	{
		displayName: 'Score ICP Fit',
		name: 'icpFit',
		type: 'boolean',
		default: false,
		description: 'Whether to give fit points and reasons for company size, industry and country, worded like PQL Score\'s',
	},
	{
		displayName: 'ICP Fit',
		name: 'fit',
		type: 'collection',
		placeholder: 'Add Criterion',
		default: { employees: '50..1000', employeePoints: 10 },
		displayOptions: showFit,
		options: [
			{ displayName: 'Countries', name: 'countries', type: 'string', default: '', placeholder: 'e.g. United States, Germany', description: 'Country names separated by commas, compared ignoring case' },
			{ displayName: 'Countries Points', name: 'countryPoints', type: 'number', default: 10 },
			{ displayName: 'Employees', name: 'employees', type: 'string', default: '50..1000', placeholder: 'e.g. 50..1000', description: 'A range of employees: 50..1000, 50-1000 or 1000+' },
			{ displayName: 'Employees Points', name: 'employeePoints', type: 'number', default: 10 },
			{ displayName: 'Industries', name: 'industries', type: 'string', default: '', placeholder: 'e.g. Computer Software, SaaS', description: 'Industries separated by commas, compared ignoring case' },
			{ displayName: 'Industries Points', name: 'industryPoints', type: 'number', default: 10 },
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Cache Answers For (Days)',
				name: 'cacheDays',
				type: 'number',
				default: 30,
				typeOptions: { minValue: 0 },
				description: 'Matches and no-matches are kept in the workflow and reused by later production executions; 0 = no cache',
			},
			{
				displayName: 'Cache Size (Domains)',
				name: 'cacheSize',
				type: 'number',
				default: 500,
				typeOptions: { minValue: 0 },
				description: 'Most domains kept; the oldest answers go first',
			},
			{
				displayName: 'Include Provider Response',
				name: 'includeProviderResponse',
				type: 'boolean',
				default: false,
				description: 'Whether to add the provider\'s full answer as enrichment.providerResponse (not kept in the cache)',
			},
			{
				displayName: 'Max Paid Look-Ups per Execution',
				name: 'maxLookups',
				type: 'number',
				default: 100,
				typeOptions: { minValue: 0 },
				description: 'Provider calls allowed in one execution (retries do not count); further items pass with status "skipped"',
			},
			{
				displayName: 'Max Rate-Limit Wait (Seconds)',
				name: 'maxRateLimitWaitSeconds',
				type: 'number',
				default: 60,
				typeOptions: { minValue: 0 },
				description: 'Longest wait for a rate limit to reset; a provider asking for more is not called again in the execution',
			},
			{
				displayName: 'Retries',
				name: 'retries',
				type: 'number',
				default: 2,
				typeOptions: { minValue: 0 },
				description: 'Retries of a look-up after a rate limit, a server error or a time-out',
			},
			{
				displayName: 'Retry Wait (Ms)',
				name: 'retryWaitMs',
				type: 'number',
				default: 1000,
				typeOptions: { minValue: 0 },
				description: 'The first wait before a retry when the provider does not say how long; it doubles with each retry',
			},
			{
				displayName: 'Timeout (Ms)',
				name: 'timeoutMs',
				type: 'number',
				default: 10000,
				typeOptions: { minValue: 1 },
				description: 'How long to wait for a provider\'s answer',
			},
			{
				displayName: 'Write Account Traits To',
				name: 'traitsTarget',
				type: 'options',
				default: 'auto',
				description: 'Where the company facts land besides "company", for PQL Score\'s fit rules. Values already on the item are kept.',
				options: [
					{ name: 'Account Traits (Flat Events)', value: 'accountTraits', description: 'In accountTraits, and the domain as accountId when the event has none' },
					{ name: 'Auto', value: 'auto', description: 'Item fields (account rows, scored accounts, contacts); accountTraits for flat product events' },
					{ name: 'Item Fields (Account Rows)', value: 'itemFields', description: 'Employees, industry, country… as fields of the item' },
					{ name: 'Nowhere Else', value: 'none', description: 'Only in the company field' },
				],
			},
		],
	},
];
