import type { INodeParameters, INodeProperties } from 'n8n-workflow';
import { WORKED_EXAMPLE_RULES } from '../engine/rules/presets';
import { DEFAULT_TIERS } from '../engine/rules/schema';
import { formatTierList } from '../engine/rules/tiers';
import { ruleToUi } from './scoringModel';

/**
 * The scoring-model part of a node's UI: where rules come from, the rules, threshold and tiers.
 * Shared by every node that scores, so rules look and behave the same on the whole canvas.
 */
const eventRuleTypes = ['eventCount', 'everDid', 'activeDays', 'distinctUsers'];
const numericRuleTypes = ['eventCount', 'activeDays', 'distinctUsers', 'inactiveDays', 'daysSinceSignup'];
const operatorOptions = [
	{ name: 'Contains', value: 'contains' },
	{ name: 'E-Mail Domain Is One Of', value: 'emailDomainIn' },
	{ name: 'Equals', value: 'equals' },
	{ name: 'Exists', value: 'exists' },
	{ name: 'Is Between', value: 'between', description: 'Value like 50..1000' },
	{ name: 'Is Greater Than or Equal', value: 'gte' },
	{ name: 'Is Less Than or Equal', value: 'lte' },
	{ name: 'Is Not Set', value: 'notExists' },
	{ name: 'Is One Of', value: 'oneOf', description: 'Comma-separated values' },
	{ name: 'Not Equals', value: 'notEquals' },
];

const ruleFields: INodeProperties[] = [
	{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. Invited teammates', description: 'Shown in reasons and in the list of matched rules' },
	{
		displayName: 'Category',
		name: 'category',
		type: 'options',
		default: 'usage',
		options: [
			{ name: 'Usage', value: 'usage', description: 'What the account does in the product' },
			{ name: 'Fit', value: 'fit', description: 'How well the account matches your ideal customer profile' },
			{ name: 'Intent', value: 'intent', description: 'Signs of wanting to buy: pricing views, plan limits' },
			{ name: 'Negative', value: 'negative', description: 'Disqualifying signals; their points are subtracted' },
		],
	},
	{
		displayName: 'Measure',
		name: 'type',
		type: 'options',
		default: 'eventCount',
		options: [
			{ name: 'Active Days in a Window', value: 'activeDays', description: 'Distinct days with any matching event' },
			{ name: 'Days Since Last Activity', value: 'inactiveDays' },
			{ name: 'Days Since Signup', value: 'daysSinceSignup' },
			{ name: 'Distinct Users Doing It', value: 'distinctUsers', description: 'How many users of the account did the event' },
			{ name: 'Event Count in a Window', value: 'eventCount' },
			{ name: 'Ever Did It', value: 'everDid', description: 'The event happened at least once, any time' },
			{ name: 'Trait or Property', value: 'trait', description: 'Compare a user or account trait (fit rules)' },
		],
	},
	{ displayName: 'Points', name: 'points', type: 'number', default: 10, description: 'Points when the rule matches (subtracted for negative rules)' },
	{
		displayName: 'Event Names',
		name: 'event',
		type: 'string',
		default: '',
		placeholder: 'e.g. teammate_invited, Invite Sent',
		description: 'Comma-separated event names; empty or * for any event. Page views from every source are named $pageview.',
		displayOptions: { show: { type: eventRuleTypes } },
	},
	{
		displayName: 'Window (Days)',
		name: 'windowDays',
		type: 'number',
		default: 14,
		description: 'Only events in the last N days count (0 = all time)',
		displayOptions: { show: { type: ['eventCount', 'activeDays', 'distinctUsers'] } },
	},
	{
		displayName: 'Condition',
		name: 'comparison',
		type: 'options',
		default: 'atLeast',
		options: [
			{ name: 'At Least', value: 'atLeast' },
			{ name: 'At Most', value: 'atMost' },
			{ name: 'Between', value: 'between' },
		],
		displayOptions: { show: { type: numericRuleTypes } },
	},
	{
		displayName: 'Minimum',
		name: 'atLeast',
		type: 'number',
		default: 1,
		displayOptions: { show: { type: numericRuleTypes, comparison: ['atLeast', 'between'] } },
	},
	{
		displayName: 'Maximum',
		name: 'atMost',
		type: 'number',
		default: 0,
		displayOptions: { show: { type: numericRuleTypes, comparison: ['atMost', 'between'] } },
	},
	{
		displayName: 'Only Events Where Property',
		name: 'filterProperty',
		type: 'string',
		default: '',
		placeholder: 'url',
		description: 'Optional filter on the event properties',
		displayOptions: { show: { type: eventRuleTypes } },
	},
	{
		displayName: 'Filter Operator',
		name: 'filterOperator',
		type: 'options',
		default: 'contains',
		options: operatorOptions,
		displayOptions: { show: { type: eventRuleTypes } },
	},
	{
		displayName: 'Filter Value',
		name: 'filterValue',
		type: 'string',
		default: '',
		placeholder: '/pricing',
		displayOptions: { show: { type: eventRuleTypes } },
	},
	{
		displayName: 'More Filters (JSON)',
		name: 'moreFilters',
		type: 'string',
		default: '',
		placeholder: '[{"property": "plan", "operator": "equals", "value": "trial"}]',
		description: 'Optional further filters, all of which must hold, as a JSON list of {property, operator, value}',
		displayOptions: { show: { type: eventRuleTypes } },
	},
	{
		displayName: 'Trait Of',
		name: 'scope',
		type: 'options',
		default: 'account',
		options: [
			{ name: 'Account', value: 'account', description: 'Group / company traits' },
			{ name: 'Any User of the Account', value: 'user', description: 'Person traits from identify calls' },
		],
		displayOptions: { show: { type: ['trait'] } },
	},
	{
		displayName: 'Trait',
		name: 'trait',
		type: 'string',
		default: '',
		placeholder: 'e.g. employees',
		description: 'Trait name; dots reach into nested objects. For Days Since Signup: the trait holding the signup date (empty = created_at, else the first event).',
		displayOptions: { show: { type: ['trait', 'daysSinceSignup'] } },
	},
	{
		displayName: 'Operator',
		name: 'operator',
		type: 'options',
		default: 'equals',
		options: operatorOptions,
		displayOptions: { show: { type: ['trait'] } },
	},
	{
		displayName: 'Value',
		name: 'value',
		type: 'string',
		default: '',
		placeholder: 'e.g. 50..1000',
		description: 'Comma-separated for "is one of", min..max for "is between"',
		displayOptions: { show: { type: ['trait'] } },
	},
	{
		displayName: 'Points Per',
		name: 'pointsPer',
		type: 'options',
		default: 'match',
		options: [
			{ name: 'Match', value: 'match', description: 'The points once when the condition holds' },
			{ name: 'Unit', value: 'unit', description: 'The points for each event, day or user counted' },
		],
		displayOptions: { show: { type: ['eventCount', 'activeDays', 'distinctUsers'] } },
	},
	{
		displayName: 'Cap',
		name: 'cap',
		type: 'number',
		default: 0,
		description: 'Most points this rule can give (0 = no cap), so 500 clicks do not make a PQL',
	},
	{
		displayName: 'Decay',
		name: 'decay',
		type: 'options',
		default: 'none',
		options: [
			{ name: 'None', value: 'none' },
			{ name: 'Half-Life', value: 'halfLife', description: 'Points halve every N days since the latest matching event' },
			{ name: 'Linear', value: 'linear', description: 'Points fall to zero over N days since the latest matching event' },
		],
		displayOptions: { show: { type: eventRuleTypes } },
	},
	{
		displayName: 'Decay Days',
		name: 'decayDays',
		type: 'number',
		default: 14,
		displayOptions: { show: { type: eventRuleTypes, decay: ['halfLife', 'linear'] } },
	},
	{
		displayName: 'Only If Signed Up At Least (Days Ago)',
		name: 'minDaysSinceSignup',
		type: 'number',
		default: 0,
		description: 'The rule can only match accounts that signed up at least this many days ago (signup trait, else first event); 0 = always',
	},
	{
		displayName: 'Reason Text',
		name: 'reason',
		type: 'string',
		default: '',
		placeholder: 'e.g. Invited {value} teammates {window}',
		description: 'Optional. Placeholders: {value}, {window}, {event}, {actual}, {name}. Points are appended.',
	},
];

/** The UI's rules start as the worked example's. */
const defaultUiRules = WORKED_EXAMPLE_RULES.map(ruleToUi) as unknown as INodeParameters[];

export const scoringModelProperties: INodeProperties[] = [
	{
		displayName: 'Rules From',
		name: 'rulesSource',
		type: 'options',
		default: 'preset',
		options: [
			{ name: 'Preset: PQL Worked Example', value: 'preset', description: 'Logins, onboarding, core feature, invites, integrations, company fit and buying intent (threshold 70)' },
			{ name: 'Preset: Worked Example + Negative Signals', value: 'presetWithNegatives', description: 'Adds points off for going quiet and for barely using the product' },
			{ name: 'Rules Below', value: 'ui', description: 'Build the rules here' },
			{ name: 'JSON', value: 'json', description: 'Paste rules as JSON (config as code; same schema)' },
		],
	},
	{
		displayName: 'Rules',
		name: 'rules',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Rule',
		default: { rule: defaultUiRules },
		displayOptions: { show: { rulesSource: ['ui'] } },
		options: [{ name: 'rule', displayName: 'Rule', values: ruleFields }],
	},
	{
		displayName: 'Rules (JSON)',
		name: 'rulesJson',
		type: 'json',
		default: JSON.stringify({ mode: 'points', threshold: 70, tiers: DEFAULT_TIERS, rules: WORKED_EXAMPLE_RULES }, null, 2),
		description: 'An object with mode, threshold, tiers and rules. Errors name the rule and the field.',
		typeOptions: { rows: 12 },
		displayOptions: { show: { rulesSource: ['json'] } },
	},
	{
		displayName: 'Qualify By',
		name: 'scoringMode',
		type: 'options',
		default: 'points',
		options: [
			{ name: 'Points Reach the Threshold', value: 'points' },
			{ name: 'All Criteria Met', value: 'allCriteria', description: 'Every usage, fit and intent rule matches and no negative rule does' },
		],
		displayOptions: { hide: { rulesSource: ['json'] } },
	},
	{
		displayName: 'PQL Threshold',
		name: 'threshold',
		type: 'number',
		default: 70,
		description: 'Score at which an account becomes a PQL',
		displayOptions: { hide: { rulesSource: ['json'], scoringMode: ['allCriteria'] } },
	},
	{
		displayName: 'Tiers',
		name: 'tiers',
		type: 'string',
		default: formatTierList(DEFAULT_TIERS),
		description: 'Name:minimum score, comma-separated; one name without a score takes every score below the others',
		displayOptions: { hide: { rulesSource: ['json'] } },
	},
];
