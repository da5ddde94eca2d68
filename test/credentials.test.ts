import { existsSync } from 'fs';
import { join } from 'path';
import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { PqlRedisRestApi } from '../credentials/PqlRedisRestApi.credentials';
import { PqlWebhookSecretApi } from '../credentials/PqlWebhookSecretApi.credentials';
import { SegmentWebhookApi } from '../credentials/SegmentWebhookApi.credentials';
import { DEFAULT_SHARED_SECRET_HEADER } from '../nodes/engine/ingest/verify';

const CREDENTIALS_DIR = join(__dirname, '..', 'credentials');

/** The trigger's credentials. The webhook ones are only checked locally; the REST store one is a real HTTP service. */
const credentials: Array<{ file: string; credential: ICredentialType; secretFields: string[]; httpTest: boolean }> = [
	{ file: 'SegmentWebhookApi.credentials.ts', credential: new SegmentWebhookApi(), secretFields: ['sharedSecret', 'writeKey'], httpTest: false },
	{ file: 'PqlWebhookSecretApi.credentials.ts', credential: new PqlWebhookSecretApi(), secretFields: ['secret'], httpTest: false },
	{ file: 'PqlRedisRestApi.credentials.ts', credential: new PqlRedisRestApi(), secretFields: ['token'], httpTest: true },
];

function field(credential: ICredentialType, name: string): INodeProperties {
	const found = credential.properties.find((property) => property.name === name);
	if (found === undefined) throw new Error(`${credential.name} has no field ${name}`);
	return found;
}

describe.each(credentials)('$file', ({ file, credential, secretFields, httpTest }) => {
	test('is named like its file, as n8n loads it', () => {
		expect(credential.constructor.name).toBe(file.split('.')[0]);
		expect(credential.name).toBe(file[0].toLowerCase() + file.slice(1).split('.')[0]);
		expect(credential.displayName).toMatch(/ API$/);
		expect(credential.properties.length).toBeGreaterThan(0);
	});

	test('masks every secret field', () => {
		for (const name of secretFields) {
			expect(field(credential, name).typeOptions?.password).toBe(true);
		}
	});

	test('documents itself in the repository README', () => {
		expect(credential.documentationUrl).toMatch(/^https:\/\/github\.com\/n8n-nodes-pql\/n8n-nodes-pql#[a-z-]+$/);
	});

	test('has light and dark icons that exist', () => {
		const icon = credential.icon as { light: string; dark: string };
		expect(icon.light).not.toBe(icon.dark);
		for (const path of [icon.light, icon.dark]) {
			expect(path).toMatch(/^file:/);
			expect(existsSync(join(CREDENTIALS_DIR, path.slice('file:'.length)))).toBe(true);
		}
	});

	// The webhook credentials have no HTTP endpoint that checks them, so the trigger node tests each
	// one (`testedBy` + `methods.credentialTest`). n8n's CredentialsTester uses a credential's own
	// `test` first and would then never call the node's test. The REST store has an endpoint: PING.
	if (httpTest) {
		test('has a declarative HTTP test request', () => {
			expect(credential.test?.request).toEqual(expect.objectContaining({ url: expect.stringContaining('$credentials') }));
		});
	} else {
		test('leaves testing to the node: no declarative HTTP test to shadow it', () => {
			expect(credential.test).toBeUndefined();
		});
	}
});

describe('field defaults', () => {
	test('the shared-secret header defaults to the name verification expects', () => {
		expect(field(new PqlWebhookSecretApi(), 'headerName').default).toBe(DEFAULT_SHARED_SECRET_HEADER);
	});

	test('the Redis REST store needs a URL and a token, sends the token as a Bearer, PINGs, and namespaces its keys', () => {
		const redis = new PqlRedisRestApi();
		expect(redis.name).toBe('pqlRedisRestApi');
		expect(field(redis, 'url')).toMatchObject({ required: true, default: '' });
		expect(field(redis, 'token')).toMatchObject({ required: true, default: '' });
		expect(field(redis, 'keyPrefix').default).toBe('pql:');
		expect(redis.authenticate).toEqual({ type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.token}}' } } });
		expect(redis.test?.request).toEqual({ url: '={{$credentials.url}}', method: 'POST', body: ['PING'] });
	});
});
