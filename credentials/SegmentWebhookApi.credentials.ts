import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Verifies requests Segment sends to the trigger's webhook URL; it is never sent anywhere.
 * Segment has no endpoint that checks a Shared Secret or a Write Key, so the credential has no
 * HTTP `test`: the trigger node tests it locally (`testedBy`), and a `test` here would shadow that.
 */
export class SegmentWebhookApi implements ICredentialType {
	name = 'segmentWebhookApi';

	displayName = 'Segment Webhook API';

	icon: Icon = {
		light: 'file:../nodes/PqlThresholdTrigger/pqlThresholdTrigger.svg',
		dark: 'file:../nodes/PqlThresholdTrigger/pqlThresholdTrigger.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-pql/n8n-nodes-pql#segment-webhook-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Shared Secret',
			name: 'sharedSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The Shared Secret of the Segment Webhooks destination. Requests must carry a matching X-Signature (or X-Segment-Signature) HMAC-SHA1 of their body.',
		},
		// Masked on purpose: the write key is what authenticates the sender. The scanner's
		// credential-unnecessary-password rule warns about it (a warning, not a finding that fails the scan).
		{
			displayName: 'Write Key',
			name: 'writeKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'For a Segment library (such as @segment/analytics-node) pointed at this webhook URL: requests must carry "Authorization: Basic" with this write key.',
		},
	];
}
