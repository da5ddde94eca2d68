import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Where the trigger keeps per-account state shared across n8n workers. Redis speaks RESP, not
 * HTTP, so there is no declarative `test`: the trigger node tests the connection (`testedBy`), and
 * n8n would never call that node test if this class had a `test` of its own.
 */
export class PqlRedisApi implements ICredentialType {
	name = 'pqlRedisApi';

	displayName = 'PQL Redis';

	icon: Icon = {
		light: 'file:../nodes/PqlThresholdTrigger/pqlThresholdTrigger.svg',
		dark: 'file:../nodes/PqlThresholdTrigger/pqlThresholdTrigger.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-pql/n8n-nodes-pql#redis-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: '127.0.0.1',
			required: true,
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 65535 },
			default: 6379,
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			description: 'ACL user name (Redis 6+). Leave empty to authenticate with the password only.',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Database Number',
			name: 'database',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
		},
		{
			displayName: 'Use TLS',
			name: 'tls',
			type: 'boolean',
			default: false,
			description: 'Whether to connect over TLS (most managed Redis services require it)',
		},
		{
			displayName: 'Key Prefix',
			name: 'keyPrefix',
			type: 'string',
			default: 'pql:',
			description:
				'Every key this package writes starts with this, so several workflows or environments can share one Redis database',
		},
	];
}
