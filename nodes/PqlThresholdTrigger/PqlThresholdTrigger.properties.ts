import type { INodeProperties } from 'n8n-workflow';
import { accountFromOption, accountGroupTypeOption, eventFormatProperty } from '../shared/eventOptions.properties';
import { scoringModelProperties } from '../shared/scoringModel.properties';

export const pqlThresholdTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Point a PostHog HTTP webhook destination or a Segment Webhooks destination at the URL above. Every event updates its account; a workflow starts only when an account crosses the threshold.',
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		default: 'segmentSignature',
		options: [
			{ name: 'Segment Webhook Signature', value: 'segmentSignature', description: 'X-Signature / X-Segment-Signature: HMAC-SHA1 of the body with the shared secret' },
			{ name: 'Segment Write Key', value: 'segmentWriteKey', description: 'Basic auth with a write key, as analytics-node and the Segment HTTP API send' },
			{ name: 'Shared Secret Header', value: 'sharedSecretHeader', description: 'A header with a secret, e.g. added to a PostHog destination' },
			{ name: 'None', value: 'none', description: 'Anyone who knows the URL can send events' },
		],
	},
	{
		displayName: 'Without authentication anyone who learns this URL can push events and start your workflow',
		name: 'noAuthWarning',
		type: 'notice',
		default: '',
		displayOptions: { show: { authentication: ['none'] } },
	},
	eventFormatProperty(['auto', 'generic', 'posthog', 'segment']),
	{
		displayName: 'Fire On',
		name: 'fireOn',
		type: 'options',
		default: 'threshold',
		options: [
			{ name: 'Account Becomes a PQL', value: 'threshold', description: 'Once per upward crossing of the threshold' },
			{ name: 'Account Goes Quiet', value: 'wentQuiet', description: 'No product event for a number of days, noticed without any new event' },
			{ name: 'Every Scored Event (Debugging)', value: 'everyEvent', description: 'Starts one execution per event: only to inspect scores' },
			{ name: 'Tier Changes (Up or Down)', value: 'tierAny' },
			{ name: 'Tier Goes Down', value: 'tierDown', description: 'For example hot → warm: a lead cooling off, for nurture' },
			{ name: 'Tier Goes Up', value: 'tierUp', description: 'For example cold → warm, warm → hot' },
		],
	},
	{
		displayName: 'Quiet After (Days)',
		name: 'quietDays',
		type: 'number',
		default: 14,
		typeOptions: { minValue: 0 },
		description: 'Days without any product event after which the account counts as quiet',
		displayOptions: { show: { fireOn: ['wentQuiet'] } },
	},
	{
		displayName: 'Only Accounts That Were PQLs',
		name: 'quietOnlyFormerPqls',
		type: 'boolean',
		default: true,
		description: 'Whether only accounts that have been PQLs fire when they go quiet (a lapsing hot lead, not every idle trial)',
		displayOptions: { show: { fireOn: ['wentQuiet'] } },
	},
	{
		displayName: 'Cooldown (Days)',
		name: 'cooldownDays',
		type: 'number',
		default: 7,
		typeOptions: { minValue: 0 },
		description: 'Do not fire again for the same account within this many days',
		displayOptions: { hide: { fireOn: ['everyEvent'] } },
	},
	{
		displayName: 'Re-Arm Margin (Points)',
		name: 'hysteresis',
		type: 'number',
		default: 10,
		typeOptions: { minValue: 0 },
		description: 'After firing, the score must fall this many points below the threshold before the account can fire again',
		displayOptions: { hide: { fireOn: ['everyEvent'] } },
	},
	{
		displayName: 'State Store',
		name: 'stateStore',
		type: 'options',
		default: 'builtIn',
		options: [
			{ name: 'Built-In (Saved With the Workflow)', value: 'builtIn', description: 'Zero setup; state is kept in memory and saved with the workflow. Up to 10,000 accounts by default.' },
			{ name: 'Redis Over REST (Queue Mode, Many Accounts)', value: 'redisRest', description: 'Upstash, or any Redis behind a REST bridge: shared by every n8n process' },
		],
	},
	{
		displayName:
			'The built-in store keeps up to 10,000 accounts (Max Accounts option) and is for a single n8n process: n8n reads all of it on every request, and answers warn once it passes 1 MB (fewer accounts with long IDs such as UUIDs). For more accounts, or queue mode with webhook processes, use Redis Over REST.',
		name: 'builtInNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { stateStore: ['builtIn'] } },
	},
	...scoringModelProperties,
	{
		// n8n parses JSON request bodies before a version-1 webhook node runs, unless the node's
		// `options.binaryData` is set (webhook-helpers parseRequestBody). This node verifies and
		// parses the raw bytes itself, so it sets it: one parse instead of two, and its own 400
		// for malformed JSON instead of n8n's generic 422.
		displayName: 'Raw Body',
		name: 'options',
		type: 'hidden',
		default: { binaryData: true },
	},
	{
		displayName: 'Options',
		name: 'settings',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			accountFromOption,
			accountGroupTypeOption,
			{
				displayName: 'Check Time-Based Changes Every (Seconds)',
				name: 'checkEverySeconds',
				type: 'number',
				default: 5,
				typeOptions: { minValue: 1 },
				description: 'How often accounts whose score changes with time alone (windows, decay, cooldowns, going quiet) are re-scored, and decided crossings start their executions',
			},
			{
				displayName: 'Max Accounts (Built-In Store)',
				name: 'maxAccounts',
				type: 'number',
				default: 10000,
				typeOptions: { minValue: 1 },
				description: 'Past this many accounts the built-in store refuses events of new accounts (HTTP 507 with the reason) instead of slowing n8n down',
			},
			{
				displayName: 'Max Request Size (KB)',
				name: 'maxBodyKb',
				type: 'number',
				default: 2048,
				typeOptions: { minValue: 1 },
			},
			{
				displayName: 'Save State Every (Seconds)',
				name: 'saveEverySeconds',
				type: 'number',
				default: 5,
				typeOptions: { minValue: 0 },
				description: 'Built-in store: how often state is saved with the workflow (0 = after every request). A large state is saved whole less often (at most 5% of the time) and as its changes in between. Crossings are always saved before the sender gets its answer.',
			},
			{
				displayName: 'Store Namespace',
				name: 'redisNamespace',
				type: 'string',
				default: '',
				description: 'Keys are shared by every trigger using the same namespace; empty = one namespace per workflow and node',
			},
		],
	},
];
