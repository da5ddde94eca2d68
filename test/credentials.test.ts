import { existsSync } from 'fs';
import { join } from 'path';
import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { PqlRedisApi } from '../credentials/PqlRedisApi.credentials';
import { PqlWebhookSecretApi } from '../credentials/PqlWebhookSecretApi.credentials';
import { SegmentWebhookApi } from '../credentials/SegmentWebhookApi.credentials';
import { DEFAULT_SHARED_SECRET_HEADER } from '../nodes/engine/ingest/verify';

const CREDENTIALS_DIR = join(__dirname, '..', 'credentials');

const credentials: Array<{ file: string; credential: ICredentialType; secretFields: string[] }> = [
	{ file: 'SegmentWebhookApi.credentials.ts', credential: new SegmentWebhookApi(), secretFields: ['sharedSecret', 'writeKey'] },
	{ file: 'PqlWebhookSecretApi.credentials.ts', credential: new PqlWebhookSecretApi(), secretFields: ['secret'] },
	{ file: 'PqlRedisApi.credentials.ts', credential: new PqlRedisApi(), secretFields: ['password'] },
];

function field(credential: ICredentialType, name: string): INodeProperties {
	const found = credential.properties.find((property) => property.name === name);
	if (found === undefined) throw new Error(`${credential.name} has no field ${name}`);
	return found;
}

describe.each(credentials)('$file', ({ file, credential, secretFields }) => {
	test('is named like its file, as n8n loads it', () => {
		expect(credential.constructor.name).toBe(file.split('.')[0]);
		expect(credential.name).toBe(file[0].toLowerCase() + file.slice(1).split('.')[0]);
		expect(credential.displayName).toEqual(expect.any(String));
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

	// None of these services has an HTTP endpoint that checks the credential, so the trigger node
	// tests each one (`testedBy` + `methods.credentialTest`). n8n's CredentialsTester uses a
	// credential's own `test` first and would then never call the node's test.
	test('leaves testing to the node: no declarative HTTP test to shadow it', () => {
		expect(credential.test).toBeUndefined();
	});
});

describe('field defaults', () => {
	test('the shared-secret header defaults to the name verification expects', () => {
		expect(field(new PqlWebhookSecretApi(), 'headerName').default).toBe(DEFAULT_SHARED_SECRET_HEADER);
	});

	test('Redis defaults to a local server with its standard port and a key namespace', () => {
		const redis = new PqlRedisApi();
		expect(field(redis, 'host').default).toBe('127.0.0.1');
		expect(field(redis, 'port').default).toBe(6379);
		expect(field(redis, 'database').default).toBe(0);
		expect(field(redis, 'tls').default).toBe(false);
		expect(field(redis, 'keyPrefix').default).toBe('pql:');
	});
});
