/**
 * The vendor stand-ins (test/helpers/vendors/) proven with n8n's own nodes in a real n8n 2.40
 * (tools/n8n/install.sh): Webhook → HubSpot / Salesforce / Slack / Send Email, credentials created
 * and tested through n8n's API, requests reaching the stand-ins under the vendors' real host names
 * over HTTPS (test CA via NODE_EXTRA_CA_CERTS, connections routed by a --require preload), SMTP
 * with STARTTLS and AUTH. Each test asserts what the stand-in received. Also this package's PQL
 * PostHog Query node against us.posthog.com's stand-in: its credential passes and fails n8n's own
 * credential test, and Webhook → PQL PostHog Query → PQL Score scores the pulled events.
 *
 * Run it under the build lock (it builds and packs the package):
 *   flock /tmp/pql-build.lock npx jest test/e2e/vendors.e2e.test.ts
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureN8nInstalled, httpRequest, startN8n, type N8nInstance } from '../helpers/n8nServer';
import { buildAndPackPql } from '../helpers/pqlPackage';
import { createCredential, type CredentialRef } from '../helpers/pqlWorkflows';
import { startVendorNetwork, type VendorNetwork } from '../helpers/vendors/network';
import { ACME_REASONS, AS_OF, COMPANY_GROUP_TYPES, WORKED_EXAMPLE_EVENTS, WORKED_EXAMPLE_GROUPS } from '../fixtures/posthog/workedExample';

jest.setTimeout(180_000);

/** typeVersions of the installed n8n-nodes-base (2.40.7): the newest of each node. */
const WEBHOOK = { type: 'n8n-nodes-base.webhook', typeVersion: 2.1 };
const HUBSPOT = { type: 'n8n-nodes-base.hubspot', typeVersion: 2.2 };
const SALESFORCE = { type: 'n8n-nodes-base.salesforce', typeVersion: 1.1 };
const SLACK = { type: 'n8n-nodes-base.slack', typeVersion: 2.7 };
const SEND_EMAIL = { type: 'n8n-nodes-base.emailSend', typeVersion: 2.1 };

const SMTP_USER = 'pql-bot';
const SMTP_PASSWORD = 'smtp-stand-in-password';

let n8n: N8nInstance;
let vendors: VendorNetwork;
let packDir: string;
const credentials: Record<string, CredentialRef> = {};

interface Step {
	name: string;
	node: { type: string; typeVersion: number };
	parameters: Record<string, unknown>;
	credentials?: Record<string, CredentialRef>;
}

/** Webhook (answers with the last node's items) → steps in a row; returns the webhook URL. */
async function deployChain(name: string, steps: Step[]): Promise<{ url: string; workflowId: string }> {
	const webhookPath = `vendors-${name}-${randomUUID().slice(0, 8)}`;
	const nodes = [
		{ id: randomUUID(), name: 'Webhook', ...WEBHOOK, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', responseData: 'allEntries', options: {} } },
		...steps.map((step, index) => ({ id: randomUUID(), name: step.name, ...step.node, position: [220 * (index + 1), 0], parameters: step.parameters, credentials: step.credentials })),
	];
	const names = nodes.map((node) => node.name);
	const connections = Object.fromEntries(names.slice(0, -1).map((from, index) => [from, { main: [[{ node: names[index + 1], type: 'main', index: 0 }]] }]));
	const workflowId = await n8n.importWorkflow({ name: `vendors: ${name}`, nodes, connections, settings: { executionOrder: 'v1' } });
	await n8n.activateWorkflow(workflowId);
	return { url: `${n8n.baseUrl}/webhook/${webhookPath}`, workflowId };
}

async function call(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
	const response = await httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	let json: unknown;
	try {
		json = JSON.parse(response.body);
	} catch {
		json = response.body;
	}
	return { status: response.status, json };
}

/** n8n's own credential test (what the editor's "Test" button calls). */
async function testCredential(ref: CredentialRef, type: string, data: Record<string, unknown>): Promise<{ status: string; message: string }> {
	return (await n8n.api('POST', '/rest/credentials/test', { credentials: { id: ref.id, name: ref.name, type, data } })) as { status: string; message: string };
}

/** The error message of the workflow's newest execution. */
async function lastExecutionError(workflowId: string): Promise<string> {
	const [latest] = await n8n.listExecutions(workflowId, { includeData: true });
	const data = latest.data as { resultData?: { error?: { message?: string; description?: string } } };
	return `${data.resultData?.error?.message ?? ''} ${data.resultData?.error?.description ?? ''}`;
}

const salesforceData = () => ({ environment: 'production', clientId: vendors.salesforceApp.clientId, username: vendors.salesforceApp.username, privateKey: vendors.salesforceApp.privateKey, myDomainUrl: '' });
const postHogData = () => ({ region: 'https://us.posthog.com', host: '', projectId: vendors.posthog.projectId, apiKey: vendors.posthog.apiKey });
const smtpData = () => ({ user: SMTP_USER, password: SMTP_PASSWORD, host: vendors.smtp.host, port: vendors.smtp.port, secure: false, disableStartTls: false, hostName: '' });

beforeAll(async () => {
	ensureN8nInstalled();
	packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pql-vendors-pack-'));
	const tarball = buildAndPackPql(packDir);
	vendors = await startVendorNetwork({
		hubspot: { customProperties: { companies: ['pql_score', 'pql_tier', 'pql_reasons', 'pql_model_version'], deals: ['pql_score'] } },
		salesforce: { customFields: { lead: ['PQL_Account_Id__c', 'PQL_Score__c', 'PQL_Reasons__c'] }, externalIds: { lead: ['PQL_Account_Id__c'] } },
		smtp: { auth: { user: SMTP_USER, pass: SMTP_PASSWORD } },
		posthog: { events: WORKED_EXAMPLE_EVENTS, groups: WORKED_EXAMPLE_GROUPS, groupTypes: COMPANY_GROUP_TYPES },
	});
	n8n = await startN8n({ packageTarball: tarball, env: vendors.n8nEnv });
	credentials.hubspot = await createCredential(n8n, 'hubspotAppToken', 'HubSpot (stand-in)', { appToken: vendors.hubspot.token });
	credentials.salesforce = await createCredential(n8n, 'salesforceJwtApi', 'Salesforce (stand-in)', salesforceData());
	credentials.slack = await createCredential(n8n, 'slackApi', 'Slack (stand-in)', { accessToken: vendors.slack.token, signatureSecret: '' });
	credentials.smtp = await createCredential(n8n, 'smtp', 'SMTP (stand-in)', smtpData());
	credentials.posthog = await createCredential(n8n, 'postHogQueryApi', 'PostHog (stand-in)', postHogData());
});

afterAll(async () => {
	await n8n?.stop();
	await vendors?.close();
	if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
});

describe("n8n's credential tests pass against the stand-ins", () => {
	test('HubSpot service key, Salesforce JWT, Slack token, SMTP login', async () => {
		expect(await testCredential(credentials.hubspot, 'hubspotAppToken', { appToken: vendors.hubspot.token })).toMatchObject({ status: 'OK' });
		expect(await testCredential(credentials.salesforce, 'salesforceJwtApi', salesforceData())).toMatchObject({ status: 'OK' });
		expect(await testCredential(credentials.slack, 'slackApi', { accessToken: vendors.slack.token })).toMatchObject({ status: 'OK' });
		expect(await testCredential(credentials.smtp, 'smtp', smtpData())).toMatchObject({ status: 'OK' });
		expect(vendors.hubspot.server.requestsTo('GET', '/account-info/v3/details')).toHaveLength(1);
		expect(vendors.salesforce.server.requestsTo('POST', '/services/oauth2/token').length).toBeGreaterThanOrEqual(1);
		expect(vendors.slack.server.requestsTo('POST', '/api/users.profile.get').length + vendors.slack.server.requestsTo('GET', '/api/users.profile.get').length).toBe(1);
	});

	test('and fail on a wrong key', async () => {
		const wrong = await testCredential(credentials.slack, 'slackApi', { accessToken: 'xoxb-wrong' });
		expect(wrong).toMatchObject({ status: 'Error', message: expect.stringContaining('Invalid access token') });
		const wrongHubSpot = await testCredential(credentials.hubspot, 'hubspotAppToken', { appToken: 'pat-wrong' });
		expect(wrongHubSpot.status).toBe('Error');
	});

	test("this package's PostHog Query API credential (US cloud): OK with a good key and project, an error otherwise", async () => {
		const posthog = vendors.posthog;
		expect(await testCredential(credentials.posthog, 'postHogQueryApi', postHogData())).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(posthog.queries.at(-1)).toMatchObject({ hogql: 'SELECT 1', status: 200 });
		expect(posthog.server.requests.at(-1)!.headers.host).toBe('us.posthog.com');
		const badKey = await testCredential(credentials.posthog, 'postHogQueryApi', { ...postHogData(), apiKey: 'phx_wrong' });
		expect(badKey.status).toBe('Error');
		const badProject = await testCredential(credentials.posthog, 'postHogQueryApi', { ...postHogData(), projectId: '1' });
		expect(badProject.status).toBe('Error');
		expect(posthog.queries.slice(-2).map((q) => q.status)).toEqual([401, 404]);
	});
});

describe("n8n's HubSpot node", () => {
	test('creates a company with PQL properties, finds it by domain, updates it, and creates a deal on it', async () => {
		const auth = { authentication: 'appToken' };
		const { url } = await deployChain('hubspot', [
			{
				name: 'Create Company',
				node: HUBSPOT,
				credentials: { hubspotAppToken: credentials.hubspot },
				parameters: {
					...auth,
					resource: 'company',
					operation: 'create',
					name: '={{ $json.body.name }}',
					additionalFields: {
						companyDomainName: '={{ $json.body.domain }}',
						customPropertiesUi: { customPropertiesValues: [{ property: 'pql_score', value: '={{ $json.body.score }}' }, { property: 'pql_tier', value: '={{ $json.body.tier }}' }] },
					},
				},
			},
			{ name: 'Find Company', node: HUBSPOT, credentials: { hubspotAppToken: credentials.hubspot }, parameters: { ...auth, resource: 'company', operation: 'searchByDomain', domain: "={{ $('Webhook').item.json.body.domain }}", returnAll: true, options: {} } },
			{
				name: 'Update Company',
				node: HUBSPOT,
				credentials: { hubspotAppToken: credentials.hubspot },
				parameters: {
					...auth,
					resource: 'company',
					operation: 'update',
					companyId: { __rl: true, mode: 'id', value: '={{ $json.companyId }}' },
					updateFields: { customPropertiesUi: { customPropertiesValues: [{ property: 'pql_reasons', value: "={{ $('Webhook').item.json.body.reasons.join('\\n') }}" }] } },
				},
			},
			{
				name: 'Create Deal',
				node: HUBSPOT,
				credentials: { hubspotAppToken: credentials.hubspot },
				parameters: {
					...auth,
					resource: 'deal',
					operation: 'create',
					stage: 'appointmentscheduled',
					additionalFields: {
						dealName: "={{ 'PQL: ' + $json.properties.name.value }}",
						associatedCompany: '={{ [$json.companyId] }}',
						customPropertiesUi: { customPropertiesValues: [{ property: 'pql_score', value: "={{ $('Webhook').item.json.body.score }}" }] },
					},
				},
			},
		]);
		const answer = await call(url, { name: 'Acme Inc', domain: 'acme.io', score: 80, tier: 'hot', reasons: ['Invited 3 teammates in the last 14 days (+15)', 'Viewed the pricing page in the last 30 days (+10)'] });
		expect(answer.status).toBe(200);
		const company = vendors.hubspot.companyByDomain('acme.io')!;
		expect(company.properties).toEqual({
			name: 'Acme Inc',
			domain: 'acme.io',
			pql_score: '80',
			pql_tier: 'hot',
			pql_reasons: 'Invited 3 teammates in the last 14 days (+15)\nViewed the pricing page in the last 30 days (+10)',
		});
		const [deal] = [...vendors.hubspot.deals.values()];
		expect(deal.properties).toEqual({ dealstage: 'appointmentscheduled', dealname: 'PQL: Acme Inc', pql_score: '80' });
		expect(deal.companyIds).toEqual([company.id]);
		const calls = vendors.hubspot.server.requests.map((r) => `${r.method} ${r.path}`).filter((call) => call !== 'GET /account-info/v3/details');
		expect(calls).toEqual([
			'POST /companies/v2/companies',
			'POST /companies/v2/domains/acme.io/companies',
			`PUT /companies/v2/companies/${company.id}`,
			'POST /deals/v1/deal',
		]);
		expect((answer.json as Array<{ dealId: number }>)[0].dealId).toBe(deal.id);
	});

	test('a property the portal lacks fails the execution with HubSpot\'s validation message', async () => {
		const { url, workflowId } = await deployChain('hubspot-missing-property', [
			{
				name: 'Create Company',
				node: HUBSPOT,
				credentials: { hubspotAppToken: credentials.hubspot },
				parameters: { authentication: 'appToken', resource: 'company', operation: 'create', name: 'Initech', additionalFields: { customPropertiesUi: { customPropertiesValues: [{ property: 'pql_grade', value: 'A' }] } } },
			},
		]);
		const answer = await call(url, {});
		expect(answer.status).toBe(500);
		expect(await lastExecutionError(workflowId)).toMatch(/Property values were not valid|PROPERTY_DOESNT_EXIST|pql_grade/);
	});
});

describe("n8n's Salesforce node (JWT)", () => {
	test('upserts a lead by the PQL account id (created, then updated), adds a task on it, and finds it with SOQL', async () => {
		const { url } = await deployChain('salesforce', [
			{
				name: 'Upsert Lead',
				node: SALESFORCE,
				credentials: { salesforceJwtApi: credentials.salesforce },
				parameters: {
					authentication: 'jwt',
					resource: 'lead',
					operation: 'upsert',
					externalId: 'PQL_Account_Id__c',
					externalIdValue: '={{ $json.body.accountId }}',
					company: '={{ $json.body.company }}',
					lastname: '={{ $json.body.lastName }}',
					additionalFields: {
						email: '={{ $json.body.email }}',
						numberOfEmployees: '={{ $json.body.employees }}',
						leadSource: 'Product Qualified Lead',
						customFieldsUi: { customFieldsValues: [{ fieldId: 'PQL_Score__c', value: '={{ $json.body.score }}' }] },
					},
				},
			},
			{
				name: 'Create Task',
				node: SALESFORCE,
				credentials: { salesforceJwtApi: credentials.salesforce },
				parameters: { authentication: 'jwt', resource: 'task', operation: 'create', status: 'Not Started', additionalFields: { subject: "={{ 'Call ' + $('Webhook').item.json.body.company + ': PQL' }}", whoId: '={{ $json.id }}' } },
			},
			{
				name: 'Find Lead',
				node: SALESFORCE,
				credentials: { salesforceJwtApi: credentials.salesforce },
				parameters: { authentication: 'jwt', resource: 'search', operation: 'query', query: "=SELECT Id, Email, PQL_Score__c FROM Lead WHERE PQL_Account_Id__c = '{{ $('Webhook').item.json.body.accountId }}'" },
			},
		]);
		const first = await call(url, { accountId: 'acme', company: 'Acme Inc', lastName: 'Lovelace', email: 'ada@acme.io', employees: 200, score: 80 });
		expect(first.status).toBe(200);
		const second = await call(url, { accountId: 'acme', company: 'Acme Inc', lastName: 'Lovelace', email: 'ada@acme.io', employees: 200, score: 95 });
		expect(second.status).toBe(200);

		const leads = vendors.salesforce.recordsOf('lead');
		expect(leads).toHaveLength(1);
		expect(leads[0].fields).toEqual({ Company: 'Acme Inc', LastName: 'Lovelace', Email: 'ada@acme.io', NumberOfEmployees: 200, LeadSource: 'Product Qualified Lead', PQL_Score__c: 95, PQL_Account_Id__c: 'acme' });
		const tasks = vendors.salesforce.recordsOf('task');
		expect(tasks.map((task) => task.fields)).toEqual([
			{ Status: 'Not Started', Subject: 'Call Acme Inc: PQL', WhoId: leads[0].Id },
			{ Status: 'Not Started', Subject: 'Call Acme Inc: PQL', WhoId: leads[0].Id },
		]);
		const upserts = vendors.salesforce.server.requestsTo('PATCH', '/services/data/v59.0/sobjects/lead/PQL_Account_Id__c/acme');
		expect(upserts).toHaveLength(2);
		expect(second.json).toEqual([{ attributes: { type: 'Lead', url: `/services/data/v59.0/sobjects/Lead/${leads[0].Id}` }, Id: leads[0].Id, Email: 'ada@acme.io', PQL_Score__c: 95 }]);
		// Every data call carried a token the stand-in issued for a verified JWT assertion.
		const dataCalls = vendors.salesforce.server.requests.filter((r) => r.path.startsWith('/services/data/'));
		expect(dataCalls.every((r) => vendors.salesforce.tokens.includes(String(r.headers.authorization).replace('Bearer ', '')))).toBe(true);
		expect(vendors.salesforce.server.requestsTo('POST', '/services/oauth2/token').every((r) => r.headers.host === 'login.salesforce.com')).toBe(true);
	});
});

describe("n8n's Slack node", () => {
	test('posts Block Kit blocks and the fallback text to the channel', async () => {
		const { url } = await deployChain('slack', [
			{
				name: 'Alert Sales',
				node: SLACK,
				credentials: { slackApi: credentials.slack },
				parameters: {
					resource: 'message',
					operation: 'post',
					select: 'channel',
					channelId: { __rl: true, mode: 'id', value: 'C0PQLALERT' },
					messageType: 'block',
					blocksUi: '={{ JSON.stringify({ blocks: $json.body.blocks }) }}',
					text: '={{ $json.body.text }}',
					otherOptions: { includeLinkToWorkflow: false },
				},
			},
		]);
		const blocks = [
			{ type: 'header', text: { type: 'plain_text', text: 'New PQL: Acme Inc (80)' } },
			{ type: 'section', text: { type: 'mrkdwn', text: '• Invited 3 teammates in the last 14 days (+15)' } },
		];
		const answer = await call(url, { text: 'Acme Inc: PQL, score 80/70 (hot)', blocks });
		expect(answer.status).toBe(200);
		expect(vendors.slack.messages).toEqual([expect.objectContaining({ method: 'chat.postMessage', channel: 'C0PQLALERT', text: 'Acme Inc: PQL, score 80/70 (hot)', blocks })]);
		expect((answer.json as Array<{ message_timestamp: string }>)[0].message_timestamp).toBe(vendors.slack.messages[0].ts);
	});
});

describe("n8n's Send Email node (SMTP)", () => {
	test('sends over STARTTLS with AUTH to the account owner, subject and body as set', async () => {
		const { url } = await deployChain('email', [
			{
				name: 'E-mail Owner',
				node: SEND_EMAIL,
				credentials: { smtp: credentials.smtp },
				parameters: {
					resource: 'email',
					operation: 'send',
					fromEmail: 'PQL Bot <pql-bot@example.com>',
					toEmail: '={{ $json.body.owner }}',
					subject: "={{ 'PQL: ' + $json.body.company + ' — score ' + $json.body.score }}",
					emailFormat: 'text',
					text: "={{ $json.body.reasons.map(r => '• ' + r).join('\\n') }}",
					options: { appendAttribution: false },
				},
			},
		]);
		const answer = await call(url, { owner: 'grace@sales.example.com', company: 'Acme Inc', score: 80, reasons: ['Invited 3 teammates in the last 14 days (+15)', 'Company of target size: 200 employees (+10)'] });
		expect(answer.status).toBe(200);
		const [mail] = await vendors.smtp.waitForMessages(1);
		expect(mail).toMatchObject({ from: 'pql-bot@example.com', to: ['grace@sales.example.com'], user: SMTP_USER, secure: true, subject: 'PQL: Acme Inc — score 80' });
		expect(mail.text).toBe('• Invited 3 teammates in the last 14 days (+15)\n• Company of target size: 200 employees (+10)');
		expect(mail.headers.to).toBe('grace@sales.example.com');
		expect(vendors.smtp.commands.slice(0, 3).map((c) => c.split(' ')[0])).toEqual(['EHLO', 'STARTTLS', 'EHLO']);
	});
});

describe("this package's PQL PostHog Query node", () => {
	test('pulls the events from us.posthog.com in pages and PQL Score scores them', async () => {
		const posthogQueries = vendors.posthog.queries.length;
		const { url } = await deployChain('posthog', [
			{
				name: 'PostHog Events',
				node: { type: 'n8n-nodes-pql.pqlPostHogQuery', typeVersion: 1 },
				credentials: { postHogQueryApi: credentials.posthog },
				parameters: { until: AS_OF, options: { groupType: 'company', pageSize: 5 } },
			},
			{ name: 'PQL Score', node: { type: 'n8n-nodes-pql.pqlScore', typeVersion: 1 }, parameters: { options: { asOf: AS_OF } } },
		]);
		const answer = await call(url, {});
		expect(answer.status).toBe(200);
		const scored = answer.json as Array<{ id: string; score: number; isPql: boolean; reasons: string[] }>;
		expect(scored.map((item) => [item.id, item.score, item.isPql])).toEqual([
			['acme', 80, true],
			['globex', 0, false],
		]);
		expect(scored[0].reasons).toEqual(ACME_REASONS);
		const queries = vendors.posthog.queries.slice(posthogQueries);
		// 17 events in the 30 days before Until, 5 a page: 4 event queries, then the groups' properties.
		expect(queries.map((q) => [q.status, q.rows])).toEqual([[200, 5], [200, 5], [200, 5], [200, 2], [200, 2]]);
		expect(queries.every((q) => !/OFFSET/i.test(q.hogql))).toBe(true);
	});
});
