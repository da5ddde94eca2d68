import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * A PostHog personal API key for the query API (`POST /api/projects/{id}/query/`). n8n's own
 * "PostHog API" credential holds a project API key for sending events; this one reads them.
 */
export class PostHogQueryApi implements ICredentialType {
	name = 'postHogQueryApi';

	displayName = 'PostHog Query API';

	icon: Icon = {
		light: 'file:../nodes/PqlPostHogQuery/pqlPostHogQuery.svg',
		dark: 'file:../nodes/PqlPostHogQuery/pqlPostHogQuery.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-pql/n8n-nodes-pql#posthog-query-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			default: 'https://us.posthog.com',
			options: [
				{ name: 'US Cloud (us.posthog.com)', value: 'https://us.posthog.com' },
				{ name: 'EU Cloud (eu.posthog.com)', value: 'https://eu.posthog.com' },
				{ name: 'Self-Hosted', value: 'selfHosted' },
			],
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: '',
			placeholder: 'https://posthog.example.com',
			description: 'The URL of your PostHog instance',
			displayOptions: { show: { region: ['selfHosted'] } },
		},
		{
			displayName: 'Project ID',
			name: 'projectId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 12345',
			description: 'The number in PostHog under Settings → Project → Project ID',
		},
		{
			displayName: 'Personal API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Create one under Settings → Personal API keys with the Query Read scope (and Group Read to add group properties)',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};

	// The smallest query the node's own scope allows: a bad key answers 401, a project the key cannot read 403 or 404.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ $credentials.region === "selfHosted" ? String($credentials.host).replace(/\\/+$/, "") : $credentials.region }}',
			url: '=/api/projects/{{ String($credentials.projectId).trim() }}/query/',
			method: 'POST',
			body: { query: { kind: 'HogQLQuery', query: 'SELECT 1' }, name: 'n8n-nodes-pql credential test' },
		},
	};
}
