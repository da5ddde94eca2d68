import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/** Apollo's REST API key, sent in the `x-api-key` header. */
export class ApolloApi implements ICredentialType {
	name = 'apolloApi';

	displayName = 'Apollo API';

	icon: Icon = {
		light: 'file:../nodes/EnrichAccount/enrichAccount.svg',
		dark: 'file:../nodes/EnrichAccount/enrichAccount.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-pql/n8n-nodes-pql#apollo-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'An API key from Settings → Integrations → API in Apollo. Organization enrichment costs one credit per call.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.apollo.io',
			description: 'Change only to go through a proxy of your own',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'x-api-key': '={{$credentials.apiKey}}' } },
	};

	// Apollo's auth health check is free and answers 200 either way: the body says whether the key works.
	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/api/v1/auth/health' },
		rules: [{ type: 'responseSuccessBody', properties: { key: 'is_logged_in', value: false, message: 'Apollo did not accept the API key' } }],
	};
}
