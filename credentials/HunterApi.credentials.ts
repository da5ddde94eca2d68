import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/** A Hunter API key, sent in the `X-API-KEY` header (Hunter also takes it as `api_key` in the query; a header keeps it out of logged URLs). */
export class HunterApi implements ICredentialType {
	name = 'hunterApi';

	displayName = 'Hunter API';

	icon: Icon = {
		light: 'file:../nodes/EnrichAccount/enrichAccount.svg',
		dark: 'file:../nodes/EnrichAccount/enrichAccount.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-pql/n8n-nodes-pql#hunter-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The key from the API page of your Hunter dashboard',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.hunter.io',
			description: 'Change only to go through a proxy of your own',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'X-API-KEY': '={{$credentials.apiKey}}' } },
	};

	// Account information is a free call.
	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/v2/account' },
	};
}
