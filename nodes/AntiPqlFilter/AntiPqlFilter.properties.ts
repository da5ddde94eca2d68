import type { INodeProperties } from 'n8n-workflow';
import {
	DEFAULT_EXCLUDED_STATUSES,
	DEFAULT_FLAG_FIELDS,
	DEFAULT_STATUS_FIELDS,
	DEFAULT_TEST_NAME_PATTERNS,
} from '../engine/antiPql/config';
import { DEFAULT_LEAD_FIELDS, type LeadFieldPaths } from '../engine/antiPql/lead';
import { DEFAULT_CUSTOM_CONDITION_REASON } from '../engine/antiPql/reasons';

function shownWhen(toggle: string): INodeProperties['displayOptions'] {
	return { show: { [toggle]: [true] } };
}

/** A rule that is on by default. */
function ruleOn(name: string, displayName: string, description: string): INodeProperties {
	return { displayName, name, type: 'boolean', default: true, description };
}

/** A rule that is off by default (it needs settings of the user's own). */
function ruleOff(name: string, displayName: string, description: string): INodeProperties {
	return { displayName, name, type: 'boolean', default: false, description };
}

function fieldPathsOption(key: keyof LeadFieldPaths, displayName: string, reads: string): INodeProperties {
	const paths = DEFAULT_LEAD_FIELDS[key].join(', ');
	return {
		displayName,
		name: key,
		type: 'string',
		default: paths,
		description: `Field paths holding ${reads}, separated by commas: the first one present is used. Dots reach into nested fields.`,
	};
}

export const antiPqlFilterProperties: INodeProperties[] = [
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		default: 'filter',
		options: [
			{ name: 'Filter', value: 'filter', description: 'Kept leads go to the Kept output, the others to Discarded' },
			{ name: 'Mark Only', value: 'markOnly', description: 'One output: every item passes, marked with antiPql.discarded and the reasons' },
		],
	},
	ruleOn('inactive', 'Inactive Accounts', 'Whether to discard leads with no activity for a number of days'),
	{
		displayName: 'Inactive For (Days)',
		name: 'inactiveDays',
		type: 'number',
		default: 21,
		typeOptions: { minValue: 0 },
		description: 'Discard when the last activity is at least this many whole days before "As Of"',
		displayOptions: shownWhen('inactive'),
	},
	ruleOn('lowUsage', 'Old Signup, Little Use', 'Whether to discard leads who signed up long ago and barely used the product'),
	{
		displayName: 'Signed Up At Least (Days Ago)',
		name: 'lowUsageSignupDays',
		type: 'number',
		default: 30,
		typeOptions: { minValue: 0 },
		displayOptions: shownWhen('lowUsage'),
	},
	{
		displayName: 'Usage Measured By',
		name: 'lowUsageMeasure',
		type: 'options',
		default: 'activeDays',
		options: [
			{ name: 'Active Days', value: 'activeDays' },
			{ name: 'Events', value: 'events', description: 'All events counted, whatever their name' },
		],
		displayOptions: shownWhen('lowUsage'),
	},
	{
		displayName: 'Fewer Than',
		name: 'lowUsageFewerThan',
		type: 'number',
		default: 3,
		typeOptions: { minValue: 0 },
		description: 'Discard when usage is below this number',
		displayOptions: shownWhen('lowUsage'),
	},
	ruleOff('neverDid', 'Never Did Core Events', 'Whether to discard leads who never did any of the core events'),
	{
		displayName: 'Core Events',
		name: 'coreEvents',
		type: 'string',
		default: '',
		placeholder: 'e.g. core_feature_used, Core Feature Used',
		description: 'Event names separated by commas; a lead who did none of them is discarded',
		displayOptions: shownWhen('neverDid'),
	},
	ruleOn('personalDomain', 'Personal E-Mail Domains', 'Whether to discard leads whose every e-mail address is on a free mailbox provider such as gmail.com'),
	ruleOn('disposableDomain', 'Disposable E-Mail Domains', 'Whether to discard leads whose every e-mail address is on a throw-away mailbox domain'),
	ruleOff('competitor', 'Competitors', 'Whether to discard leads from competitor domains'),
	{
		displayName: 'Competitor Domains',
		name: 'competitorDomains',
		type: 'string',
		default: '',
		placeholder: 'e.g. rival.io, other-vendor.com',
		description: 'Domains separated by commas; their sub-domains count too',
		displayOptions: shownWhen('competitor'),
	},
	ruleOff('internal', 'Internal Accounts', 'Whether to discard leads from your own domains'),
	{
		displayName: 'Internal Domains',
		name: 'internalDomains',
		type: 'string',
		default: '',
		placeholder: 'e.g. yourcompany.com',
		description: 'Domains separated by commas; their sub-domains count too',
		displayOptions: shownWhen('internal'),
	},
	ruleOn('testAccounts', 'Test Accounts', 'Whether to discard +test addresses, reserved example domains (example.com, .test) and test-like names'),
	{
		displayName: 'Test Name Patterns',
		name: 'testNamePatterns',
		type: 'string',
		default: DEFAULT_TEST_NAME_PATTERNS,
		description: 'Patterns separated by commas, matched against the whole name ignoring case; * stands for any text',
		displayOptions: shownWhen('testAccounts'),
	},
	ruleOn('flags', 'Churned or Disqualified', 'Whether to discard leads flagged as churned or disqualified'),
	{
		displayName: 'Flag Fields',
		name: 'flagFields',
		type: 'string',
		default: DEFAULT_FLAG_FIELDS,
		description: 'Fields separated by commas; a lead is discarded when one of them is true (or "yes")',
		displayOptions: shownWhen('flags'),
	},
	{
		displayName: 'Status Fields',
		name: 'statusFields',
		type: 'string',
		default: DEFAULT_STATUS_FIELDS,
		description: 'Fields separated by commas holding a lifecycle or lead status',
		displayOptions: shownWhen('flags'),
	},
	{
		displayName: 'Excluded Statuses',
		name: 'excludedStatuses',
		type: 'string',
		default: DEFAULT_EXCLUDED_STATUSES,
		description: 'Statuses separated by commas, compared ignoring case',
		displayOptions: shownWhen('flags'),
	},
	ruleOff('custom', 'Custom Conditions', 'Whether to discard leads that match conditions of your own'),
	{
		displayName: 'Discard When',
		name: 'conditions',
		type: 'filter',
		default: {},
		placeholder: 'Add Condition',
		typeOptions: { filter: { caseSensitive: false, typeValidation: 'loose', version: 2 } },
		displayOptions: shownWhen('custom'),
	},
	{
		displayName: 'Reason',
		name: 'customReason',
		type: 'string',
		default: DEFAULT_CUSTOM_CONDITION_REASON,
		description: 'The reason given for leads that match the conditions',
		displayOptions: shownWhen('custom'),
	},
	{
		displayName: 'Field Paths',
		name: 'fields',
		type: 'collection',
		placeholder: 'Change Where a Field Is Read',
		default: {},
		description: 'The defaults read PQL Score and PQL Threshold Trigger items and plain contact or CRM items',
		options: [
			fieldPathsOption('activeDays', 'Active Days Fields', 'the number of active days'),
			fieldPathsOption('domain', 'Company Domain Fields', 'the company domain or website'),
			fieldPathsOption('email', 'E-Mail Fields', 'e-mail addresses (a text, a list, or a list of users with an email field)'),
			fieldPathsOption('eventCounts', 'Event Count Fields', 'event counts per event name, or a total'),
			fieldPathsOption('lastActivity', 'Last Activity Fields', 'the time of the last activity'),
			fieldPathsOption('name', 'Name Fields', 'the account or contact name'),
			fieldPathsOption('signup', 'Signup Date Fields', 'the signup date'),
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
				displayName: 'As Of',
				name: 'asOf',
				type: 'dateTime',
				default: '',
				description: 'Days of inactivity and since signup are counted up to this moment; empty = now. A fixed date filters the same items the same way every day.',
			},
		],
	},
];
