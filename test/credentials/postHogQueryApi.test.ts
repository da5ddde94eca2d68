/**
 * The PostHog Query API credential's shape. Its `test` request runs in a real n8n in
 * test/e2e/vendors.e2e.test.ts; the Bearer header reaches the PostHog stand-in in
 * test/nodes/pqlPostHogQuery.test.ts.
 */
import { existsSync } from 'fs';
import { join } from 'path';
import { PostHogQueryApi } from '../../credentials/PostHogQueryApi.credentials';
import { baseUrl, POSTHOG_EU_CLOUD, POSTHOG_US_CLOUD, projectApiUrl, SELF_HOSTED } from '../../nodes/engine/sources/posthog/host';

const credential = new PostHogQueryApi();
const field = (name: string) => credential.properties.find((property) => property.name === name)!;

test('named apart from n8n-nodes-base\'s own "PostHog API" credential (postHogApi)', () => {
	expect(credential.name).toBe('postHogQueryApi');
	expect(credential.displayName).toBe('PostHog Query API');
});

test('region options are the hosts the node builds URLs from; US cloud by default', () => {
	expect(field('region').default).toBe(POSTHOG_US_CLOUD);
	expect((field('region').options as Array<{ value: string }>).map((option) => option.value)).toEqual([POSTHOG_US_CLOUD, POSTHOG_EU_CLOUD, SELF_HOSTED]);
	expect(field('host').displayOptions).toEqual({ show: { region: [SELF_HOSTED] } });
});

test('the key is masked and sent as a Bearer token; the test request queries the project', () => {
	expect(field('apiKey').typeOptions?.password).toBe(true);
	expect(credential.authenticate).toEqual({ type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } } });
	expect(credential.test.request).toMatchObject({ method: 'POST', url: '=/api/projects/{{ String($credentials.projectId).trim() }}/query/', body: { query: { kind: 'HogQLQuery', query: 'SELECT 1' } } });
});

test('icons exist', () => {
	const icon = credential.icon as { light: string; dark: string };
	for (const file of [icon.light, icon.dark]) expect(existsSync(join(__dirname, '../../credentials', file.replace('file:', '')))).toBe(true);
});

test('project URLs per region; bad hosts and project ids name the field', () => {
	expect(projectApiUrl(POSTHOG_EU_CLOUD, undefined, ' 123 ')).toBe('https://eu.posthog.com/api/projects/123/');
	expect(baseUrl(SELF_HOSTED, 'https://posthog.example.com//')).toBe('https://posthog.example.com');
	expect(() => baseUrl(SELF_HOSTED, 'posthog.example.com')).toThrow('Host must be the URL of your PostHog instance, e.g. https://posthog.example.com, not "posthog.example.com"');
	expect(() => projectApiUrl(POSTHOG_US_CLOUD, undefined, 'abc')).toThrow('Project ID must be the number');
});
