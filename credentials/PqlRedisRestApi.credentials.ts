import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Where the Threshold Trigger's shared store lives when several n8n processes handle its webhooks: a
 * Redis spoken to over the Upstash Redis REST protocol (managed Upstash, or a REST bridge such as
 * serverless-redis-http in front of a self-hosted Redis). Plain HTTPS: no socket of the package's own.
 */
export class PqlRedisRestApi implements ICredentialType {
	name = 'pqlRedisRestApi';

	displayName = 'PQL Redis REST API';

	icon: Icon = {
		light: 'file:../nodes/PqlThresholdTrigger/pqlThresholdTrigger.svg',
		dark: 'file:../nodes/PqlThresholdTrigger/pqlThresholdTrigger.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-pql/n8n-nodes-pql#redis-rest-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'REST URL',
			name: 'url',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://eu1-example-12345.upstash.io',
			description:
				'The REST URL of your Upstash database (UPSTASH_REDIS_REST_URL), or of a REST bridge in front of your own Redis, such as serverless-redis-http',
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The REST token (UPSTASH_REDIS_REST_TOKEN), or the token your bridge expects. Sent as a Bearer token.',
		},
		{
			displayName: 'Key Prefix',
			name: 'keyPrefix',
			type: 'string',
			default: 'pql:',
			description:
				'Every key this package writes starts with this, so several environments can share one Redis database. Must not contain { or }.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.token}}' } },
	};

	// PING through the REST protocol: a wrong token answers 401, a wrong URL fails to connect.
	test: ICredentialTestRequest = {
		request: {
			url: '={{$credentials.url}}',
			method: 'POST',
			body: ['PING'],
		},
	};
}
