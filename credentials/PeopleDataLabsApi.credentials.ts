import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/** A People Data Labs API key, sent in the `X-Api-Key` header. */
export class PeopleDataLabsApi implements ICredentialType {
	name = 'peopleDataLabsApi';

	displayName = 'People Data Labs API';

	icon: Icon = {
		light: 'file:../nodes/EnrichAccount/enrichAccount.svg',
		dark: 'file:../nodes/EnrichAccount/enrichAccount.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-pql/n8n-nodes-pql#people-data-labs-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The active key from the People Data Labs dashboard. Company enrichment costs one credit per match; no match is free.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.peopledatalabs.com',
			description: 'Change only to go through a proxy of your own',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'X-Api-Key': '={{$credentials.apiKey}}' } },
	};

	// The Autocomplete API costs no credits: a safe call to check the key with.
	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/v5/autocomplete', qs: { field: 'company', text: 'a', size: 1 } },
	};
}
