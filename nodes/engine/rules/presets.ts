import type { ModelConfig, RuleConfig } from './schema';

/**
 * The worked example of docs/PQL.md (points model, threshold 70). Event names list the snake_case
 * form PostHog users tend to send and the Title Case form of Segment's spec, so either source matches.
 */
export const WORKED_EXAMPLE_RULES: RuleConfig[] = [
	{
		name: 'Frequent Logins',
		category: 'usage',
		type: 'eventCount',
		event: ['user_logged_in', 'Signed In'],
		windowDays: 7,
		atLeast: 5,
		points: 10,
		reason: 'Logged in {value} times {window}',
	},
	{
		name: 'Completed Onboarding',
		category: 'usage',
		type: 'everDid',
		event: ['onboarding_completed', 'Onboarding Completed'],
		points: 15,
		reason: 'Completed the onboarding checklist',
	},
	{
		name: 'Core Feature Adoption',
		category: 'usage',
		type: 'eventCount',
		event: ['core_feature_used', 'Core Feature Used'],
		windowDays: 30,
		atLeast: 3,
		points: 20,
		reason: 'Used the core feature {value} times {window}',
	},
	{
		name: 'Invited Teammates',
		category: 'usage',
		type: 'eventCount',
		event: ['teammate_invited', 'Invite Sent'],
		windowDays: 14,
		atLeast: 2,
		points: 15,
		reason: 'Invited {value} teammates {window}',
	},
	{
		name: 'Connected an Integration',
		category: 'usage',
		type: 'everDid',
		event: ['integration_connected', 'Integration Connected'],
		points: 20,
		reason: 'Connected an external integration',
	},
	{
		name: 'Target Company Size',
		category: 'fit',
		type: 'trait',
		scope: 'account',
		trait: 'employees',
		operator: 'between',
		value: '50..1000',
		points: 10,
		reason: 'Company of target size: {actual} employees',
	},
	{
		name: 'Relevant Job Role',
		category: 'fit',
		type: 'trait',
		scope: 'user',
		trait: 'role',
		operator: 'oneOf',
		value: ['Engineering Manager', 'Head of Engineering', 'CTO', 'VP Engineering', 'Product Manager', 'Founder'],
		points: 10,
		reason: 'Relevant job role: {actual}',
	},
	{
		name: 'Target Industry',
		category: 'fit',
		type: 'trait',
		scope: 'account',
		trait: 'industry',
		operator: 'oneOf',
		value: ['Software', 'SaaS', 'Fintech', 'E-commerce'],
		points: 10,
		reason: 'Target industry: {actual}',
	},
	{
		name: 'Viewed Pricing',
		category: 'intent',
		type: 'eventCount',
		event: '$pageview',
		filters: [{ property: 'url', operator: 'contains', value: '/pricing' }],
		windowDays: 30,
		points: 10,
		reason: 'Viewed the pricing page {window}',
	},
	{
		name: 'Reached Plan Limit',
		category: 'intent',
		type: 'eventCount',
		event: ['plan_limit_reached', 'Plan Limit Reached'],
		windowDays: 30,
		points: 15,
		reason: 'Reached a plan limit {window}',
	},
	{
		name: 'Requested Enterprise Features',
		category: 'intent',
		type: 'eventCount',
		event: ['enterprise_features_requested', 'Enterprise Features Requested'],
		windowDays: 30,
		points: 20,
		reason: 'Requested enterprise features {window}',
	},
];

export const WORKED_EXAMPLE_MODEL: ModelConfig = {
	mode: 'points',
	threshold: 70,
	rules: WORKED_EXAMPLE_RULES,
};

/** Anti-PQL signals of docs/PQL.md, added to the worked example by the second preset. */
export const NEGATIVE_SIGNAL_RULES: RuleConfig[] = [
	{
		name: 'Gone Quiet',
		category: 'negative',
		type: 'inactiveDays',
		atLeast: 21,
		points: 30,
		reason: 'No activity for {value} days',
	},
	{
		name: 'Old Signup, Little Use',
		category: 'negative',
		type: 'activeDays',
		windowDays: 60,
		atMost: 2,
		minDaysSinceSignup: 60,
		points: 20,
		reason: 'Active on only {value} days {window}',
	},
];

export const PRESETS = {
	workedExample: WORKED_EXAMPLE_MODEL,
	workedExampleWithNegatives: { ...WORKED_EXAMPLE_MODEL, rules: [...WORKED_EXAMPLE_RULES, ...NEGATIVE_SIGNAL_RULES] },
} satisfies Record<string, ModelConfig>;

export type PresetName = keyof typeof PRESETS;
