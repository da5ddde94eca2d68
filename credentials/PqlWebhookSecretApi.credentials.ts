import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * A header-and-secret pair the user adds to PostHog's HTTP webhook destination, which signs
 * nothing itself. Nothing remote can check it, so the trigger node tests it locally (`testedBy`).
 */
export class PqlWebhookSecretApi implements ICredentialType {
	name = 'pqlWebhookSecretApi';

	displayName = 'PQL Webhook Shared Secret API';

	icon: Icon = {
		light: 'file:../nodes/PqlThresholdTrigger/pqlThresholdTrigger.svg',
		dark: 'file:../nodes/PqlThresholdTrigger/pqlThresholdTrigger.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-pql/n8n-nodes-pql#webhook-shared-secret-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'X-PQL-Secret',
			required: true,
			description: 'The header the sender adds to every request. Names are matched case-insensitively.',
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The exact value the header must carry. Use a long random string.',
		},
	];
}
