/**
 * The templates of workflows/ in a real n8n 2.40 (tools/n8n/install.sh), one `n8n start` for
 * every scenario: each file imports (public API and as the editor imports it, pinned data
 * included), and a runnable variant of each runs with n8n's own HubSpot, Salesforce, Slack and
 * Send Email nodes against the vendor stand-ins (test/helpers/vendors/: HTTPS under the vendors'
 * host names, SMTP with STARTTLS) and Enrich Account against the Apollo stand-in. The trigger
 * templates are activated and fed by real senders: PostHog destination bodies with the shared
 * secret, Segment Webhooks-destination bodies signed with X-Signature, and
 * `@segment/analytics-node` with its host and path set to the trigger (write key), each with
 * retried deliveries. Every test asserts what the sinks received and that executions happened
 * exactly for the accounts that crossed, once each. Last, headless Chromium shoots each template's
 * canvas and one execution's output (UPDATE_SCREENSHOTS=1 writes them to docs/screenshots/).
 *
 * A runnable variant changes only what a person changes after importing: credentials (Salesforce
 * through JWT, the stand-in's app), the trigger's rules (a small JSON model, so a few events cross),
 * and, for the scheduled templates, a Webhook node in place of the Schedule Trigger and fixed dates
 * for the PostHog pull and the score. Pinned data is ignored by production executions.
 *
 * Builds and packs the package (unless PQL_E2E_TARBALL names a packed one): run it under the build lock,
 *   flock /tmp/pql-build.lock npx jest test/e2e/templates.e2e.test.ts
 * Needs Debian's chromium for the last test (apt-get install -y chromium).
 */
import { Analytics } from '@segment/analytics-node';
import { execFileSync } from 'child_process';
import { createHmac, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { importForEditor, repositoryWorkflows, WORKFLOWS_DIR } from '../helpers/editorWorkflows';
import { ensureN8nInstalled, httpRequest, OWNER_LOGIN, REPO_ROOT, startN8n, type N8nInstance } from '../helpers/n8nServer';
import { buildAndPackPql } from '../helpers/pqlPackage';
import { createCredential, settledExecutions, TRIGGER_NODE_NAME, TRIGGER_WEBHOOK_PATH, type CredentialRef } from '../helpers/pqlWorkflows';
import { chromiumInstalled, CHROMIUM_PATH, openN8nBrowser } from '../helpers/screenshot';
import { apolloOrganization, startApollo } from '../helpers/vendors/apollo';
import type { EnrichmentStandIn } from '../helpers/vendors/enrichmentStandIn';
import type { SlackMessage } from '../helpers/vendors/slack';
import { startVendorNetwork, type VendorNetwork } from '../helpers/vendors/network';
import { AS_OF, COMPANY_GROUP_TYPES, WORKED_EXAMPLE_EVENTS, WORKED_EXAMPLE_GROUPS } from '../fixtures/posthog/workedExample';

jest.setTimeout(180_000);

const TEMPLATES = {
	hubspotSlack: 'pql-posthog-to-hubspot-and-slack.json',
	salesforceEmail: 'pql-segment-to-salesforce-and-email.json',
	nightlyDigest: 'pql-nightly-posthog-digest-to-slack.json',
	lifecycle: 'pql-lifecycle-campaigns-email.json',
} as const;
const SCREENSHOTS_DIR = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(REPO_ROOT, 'docs', 'screenshots') : fs.mkdtempSync(path.join(os.tmpdir(), 'pql-template-shots-'));

const SECRET_HEADER = 'X-PQL-Secret';
const HEADER_SECRET = 'posthog-destination-secret-templates';
const SEGMENT_SECRET = 'segment-shared-secret-templates';
const WRITE_KEY = 'segment-write-key-templates';
const SMTP_USER = 'pql-bot';
const SMTP_PASSWORD = 'smtp-stand-in-password';

/** The trigger variants' model: +1 per login, +2 for reaching a plan limit; a PQL at 3. */
const TRIGGER_RULES = JSON.stringify({
	mode: 'points',
	threshold: 3,
	tiers: [
		{ name: 'hot', minScore: 3 },
		{ name: 'cold', minScore: null },
	],
	rules: [
		{ name: 'Logins', category: 'usage', type: 'eventCount', event: 'login', windowDays: 30, pointsPer: 'unit', points: 1, reason: 'Logged in {value} times {window}' },
		{ name: 'Reached Plan Limit', category: 'intent', type: 'eventCount', event: 'plan_limit_reached', windowDays: 30, points: 2, reason: 'Reached a plan limit {window}' },
	],
});

interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: number[];
	parameters: Record<string, unknown>;
	credentials?: Record<string, CredentialRef>;
	webhookId?: string;
	[key: string]: unknown;
}

/** What a variant puts in place of a template's node (same name, id and position). */
interface NodeReplacement {
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	webhookId?: string;
}

interface WorkflowFile {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	pinData?: Record<string, unknown>;
	settings?: Record<string, unknown>;
}

interface FiredItem {
	accountId: string;
	score: number;
	reasons: string[];
	modelVersion: string;
	fireId?: string;
}

/**
 * Whether the packed trigger emits `fireId` (being added to the engine). Until it does, every item's
 * `{{ $json.fireId }}` is empty and "Once per Crossing" would let only the first crossing through,
 * so the variants key it on the account and the triggering event instead (and say so).
 */
let triggerEmitsFireId = false;
const FIRE_ID_STAND_IN = "={{ $json.fireId || $json.accountId + '@' + $json.triggeringEvent.id }}";

let n8n: N8nInstance;
let vendors: VendorNetwork;
let apollo: EnrichmentStandIn;
let packDir: string;
const credentials: Record<string, CredentialRef> = {};

function readTemplate(file: string): WorkflowFile {
	return JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8')) as WorkflowFile;
}

/**
 * The template with this test's credentials (by credential type; Salesforce OAuth2 becomes the
 * stand-in's JWT app), parameters merged per node name, and nodes replaced by name.
 */
function runnableVariant(file: string, changes: { name: string; parameters?: Record<string, Record<string, unknown>>; replace?: Record<string, NodeReplacement> }): WorkflowFile {
	const template = readTemplate(file);
	const nodes = template.nodes.map((node): WorkflowNode => {
		const replacement = changes.replace?.[node.name];
		if (replacement) return { id: node.id, name: node.name, position: node.position, ...replacement };
		let parameters = { ...node.parameters, ...changes.parameters?.[node.name] };
		if (node.name === 'Once per Crossing' && !triggerEmitsFireId) parameters = { ...parameters, dedupeValue: FIRE_ID_STAND_IN };
		let nodeCredentials = node.credentials;
		if (nodeCredentials) {
			nodeCredentials = Object.fromEntries(
				Object.keys(nodeCredentials).map((type) => {
					if (type === 'salesforceOAuth2Api') {
						parameters = { ...parameters, authentication: 'jwt' };
						return ['salesforceJwtApi', credentials.salesforceJwtApi];
					}
					if (!credentials[type]) throw new Error(`${file}: no test credential of type ${type} (node ${node.name})`);
					return [type, credentials[type]];
				}),
			);
		}
		return { ...node, parameters, ...(nodeCredentials ? { credentials: nodeCredentials } : {}), ...(node.webhookId ? { webhookId: randomUUID() } : {}) };
	});
	const { pinData: _pinned, ...rest } = template;
	return { ...rest, name: changes.name, nodes };
}

/** Imports and activates a trigger template's variant; returns its id and the trigger's production URL. */
async function deployTrigger(variant: WorkflowFile): Promise<{ workflowId: string; url: string; webhookPath: string }> {
	const workflowId = await n8n.importWorkflow(variant);
	await n8n.activateWorkflow(workflowId);
	const trigger = variant.nodes.find((node) => node.name === TRIGGER_NODE_NAME)!;
	const webhookPath = n8n.webhookPath(workflowId, { name: trigger.name, webhookId: trigger.webhookId }, TRIGGER_WEBHOOK_PATH);
	return { workflowId, url: `${n8n.baseUrl}/webhook/${webhookPath}`, webhookPath };
}

/** A Webhook node that answers when the last node has run: replaces a Schedule Trigger in a variant. */
function webhookInstead(webhookPath: string): NodeReplacement {
	return { type: 'n8n-nodes-base.webhook', typeVersion: 2.1, webhookId: randomUUID(), parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', responseData: 'allEntries', options: {} } };
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
	const response = await httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
	let json: Record<string, unknown>;
	try {
		json = JSON.parse(response.body) as Record<string, unknown>;
	} catch {
		json = { unparsed: response.body };
	}
	return { status: response.status, json };
}

/** The items the trigger emitted in each execution of the workflow, oldest execution first. */
async function firedItems(workflowId: string): Promise<FiredItem[][]> {
	const executions = await n8n.listExecutions(workflowId, { includeData: true });
	return executions.reverse().map((execution) => {
		const runData = (execution.data as { resultData: { runData: Record<string, Array<{ data: { main: Array<Array<{ json: FiredItem }>> } }>> } }).resultData.runData;
		return runData[TRIGGER_NODE_NAME][0].data.main[0].map((item) => item.json);
	});
}

/** One item per execution (accounts crossing in separate requests), by account id. */
function oneItemEach(fired: FiredItem[][]): Record<string, FiredItem> {
	expect(fired.map((items) => items.length)).toEqual(fired.map(() => 1));
	return Object.fromEntries(fired.map(([item]) => [item.accountId, item]));
}

/** Waits until the workflow has exactly `count` finished executions (and no more start for a while). */
async function exactlyExecutions(workflowId: string, count: number): Promise<void> {
	await settledExecutions(n8n, workflowId, count, 60_000);
	await new Promise((resolve) => setTimeout(resolve, 1500));
	const executions = await settledExecutions(n8n, workflowId, count, 60_000);
	expect(executions.map((execution) => execution.status)).toEqual(Array(count).fill('success'));
}

async function until<T>(what: string, read: () => T | undefined, timeoutMs = 30_000): Promise<T> {
	const started = Date.now();
	for (;;) {
		const value = read();
		if (value !== undefined) return value;
		if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}\n${n8n.logTail(40)}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

const slackMessages = (prefix: string): SlackMessage[] => vendors.slack.messages.filter((message) => String(message.text).startsWith(prefix));
const mailsTo = (address: string) => vendors.smtp.messages.filter((mail) => mail.to.includes(address));

beforeAll(async () => {
	ensureN8nInstalled();
	packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pql-templates-pack-'));
	// PQL_E2E_TARBALL: a package packed elsewhere (e.g. from a clean checkout while this tree is mid-edit).
	const tarball = process.env.PQL_E2E_TARBALL ?? buildAndPackPql(packDir);
	triggerEmitsFireId = execFileSync('tar', ['-xOzf', tarball, 'package/dist/nodes/PqlThresholdTrigger/PqlThresholdTrigger.node.js'], { encoding: 'utf8' }).includes('fireId');
	if (!triggerEmitsFireId) console.warn('The packed PQL Threshold Trigger has no fireId yet: the trigger variants dedupe on accountId@triggeringEvent.id');
	vendors = await startVendorNetwork({
		hubspot: { customProperties: { companies: ['pql_score', 'pql_tier', 'pql_reasons', 'pql_model_version'], deals: ['pql_score', 'pql_fire_id'] } },
		salesforce: {
			customFields: { lead: ['PQL_Account_Id__c', 'PQL_Score__c', 'PQL_Tier__c', 'PQL_Reasons__c', 'PQL_Model_Version__c'] },
			externalIds: { lead: ['PQL_Account_Id__c'] },
		},
		smtp: { auth: { user: SMTP_USER, pass: SMTP_PASSWORD } },
		posthog: { events: WORKED_EXAMPLE_EVENTS, groups: WORKED_EXAMPLE_GROUPS, groupTypes: COMPANY_GROUP_TYPES },
	});
	apollo = await startApollo();
	n8n = await startN8n({ packageTarball: tarball, env: vendors.n8nEnv });
	const created: Array<[string, string, Record<string, unknown>]> = [
		['pqlWebhookSecretApi', 'PostHog destination secret', { headerName: SECRET_HEADER, secret: HEADER_SECRET }],
		['segmentWebhookApi', 'Segment', { sharedSecret: SEGMENT_SECRET, writeKey: WRITE_KEY }],
		['apolloApi', 'Apollo (stand-in)', { apiKey: apollo.apiKey, baseUrl: apollo.baseUrl }],
		['hubspotAppToken', 'HubSpot (stand-in)', { appToken: vendors.hubspot.token }],
		['salesforceJwtApi', 'Salesforce (stand-in)', { environment: 'production', clientId: vendors.salesforceApp.clientId, username: vendors.salesforceApp.username, privateKey: vendors.salesforceApp.privateKey, myDomainUrl: '' }],
		['slackApi', 'Slack (stand-in)', { accessToken: vendors.slack.token, signatureSecret: '' }],
		['smtp', 'SMTP (stand-in)', { user: SMTP_USER, password: SMTP_PASSWORD, host: vendors.smtp.host, port: vendors.smtp.port, secure: false, disableStartTls: false, hostName: '' }],
		['postHogQueryApi', 'PostHog (stand-in)', { region: 'https://us.posthog.com', host: '', projectId: vendors.posthog.projectId, apiKey: vendors.posthog.apiKey }],
	];
	for (const [type, name, data] of created) credentials[type] = await createCredential(n8n, type, name, data);
}, 10 * 60_000);

afterAll(async () => {
	await n8n?.stop();
	await apollo?.close();
	await vendors?.close();
	if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
});

describe('every template of workflows/', () => {
	test('uses only node types the installed n8n and this package provide, and imports through the public API and as the editor does', async () => {
		const loaded = new Set(n8n.loadedNodeTypes());
		const files = repositoryWorkflows();
		expect(files.map(({ file }) => file)).toEqual(expect.arrayContaining(Object.values(TEMPLATES)));
		for (const { file, workflow } of files) {
			const types = [...new Set(workflow.nodes.map((node) => node.type))];
			expect({ file, missing: types.filter((type) => !loaded.has(type)) }).toEqual({ file, missing: [] });
			const id = await n8n.importWorkflow({ name: workflow.name, nodes: workflow.nodes, connections: workflow.connections, settings: workflow.settings });
			const stored = await n8n.getWorkflow(id);
			expect((stored.nodes as unknown[]).length).toBe(workflow.nodes.length);
			const editorId = await importForEditor(n8n, workflow);
			const editorCopy = (await n8n.api('GET', `/rest/workflows/${editorId}`)) as { pinData?: Record<string, unknown> };
			expect(Object.keys(editorCopy.pinData ?? {}).sort()).toEqual(Object.keys((workflow as unknown as WorkflowFile).pinData ?? {}).sort());
		}
	});

	test('each template has a set-up sticky note, credential placeholders for every credentialed node, and pinned data on every node that needs an account', () => {
		for (const file of Object.values(TEMPLATES)) {
			const template = readTemplate(file);
			const stickies = template.nodes.filter((node) => node.type === 'n8n-nodes-base.stickyNote');
			expect(stickies.some((note) => /^## /.test(String(note.parameters.content)))).toBe(true);
			for (const node of template.nodes.filter((candidate) => candidate.credentials)) {
				// A placeholder id (not empty: n8n refuses to run a workflow with an empty credential id, pinned data or not).
				for (const [type, ref] of Object.entries(node.credentials!)) expect(ref).toEqual({ id: `set-up-${type}`, name: expect.any(String) });
				const isTrigger = node.type === 'n8n-nodes-pql.pqlThresholdTrigger';
				expect({ node: node.name, pinned: Boolean(template.pinData?.[node.name]) }).toEqual({ node: node.name, pinned: true });
				if (isTrigger) expect(node.parameters).toMatchObject({ fireOn: 'threshold', rulesSource: 'preset' });
			}
		}
	});
});

describe('PostHog → PQL alert → HubSpot + Slack (pql-posthog-to-hubspot-and-slack.json)', () => {
	/** PostHog's HTTP webhook destination body with `"groups": "{groups}"` added. */
	function postHogBody(account: { id: string; name: string }, event: string, person: string): string {
		const uuid = randomUUID();
		return JSON.stringify({
			event: { uuid, event, distinct_id: person, properties: { $groups: { company: account.id } }, elements_chain: '', timestamp: new Date(Date.now() - 30_000).toISOString(), url: `https://us.posthog.com/project/1/events/${uuid}` },
			person: { id: `person-${person}`, name: person, properties: { email: `${person}@${account.id}.io` }, url: '' },
			groups: { company: { id: account.id, type: 'company', index: 0, url: '', properties: { name: account.name } } },
		});
	}

	test('the accounts that cross get a HubSpot company (created or updated by domain), a deal and a Slack alert, once each despite retried deliveries', async () => {
		const globodyne = { id: 'globodyne', name: 'Globodyne' };
		const initrode = { id: 'initrode', name: 'Initrode' };
		const quiet = { id: 'quietco', name: 'Quiet Co' };
		apollo.company('globodyne.io', apolloOrganization('globodyne.io', { name: 'Globodyne', estimated_num_employees: 450, industry: 'computer software', country: 'United States' })).script('globodyne.io', 'match');
		apollo.company('initrode.io', apolloOrganization('initrode.io', { name: 'Initrode', estimated_num_employees: 1200, industry: 'logistics', country: 'Germany' })).script('initrode.io', 'match');
		// Initrode is in HubSpot already: the template updates it instead of creating a second one.
		const now = Date.now();
		vendors.hubspot.companies.set(990001, { id: 990001, properties: { name: 'Initrode GmbH', domain: 'initrode.io' }, companyIds: [], createdAt: now, updatedAt: now });

		const { workflowId, url } = await deployTrigger(
			runnableVariant(TEMPLATES.hubspotSlack, { name: 'templates: HubSpot + Slack', parameters: { [TRIGGER_NODE_NAME]: { rulesSource: 'json', rulesJson: TRIGGER_RULES } } }),
		);
		const secret = { [SECRET_HEADER]: HEADER_SECRET };
		expect((await post(url, postHogBody(globodyne, 'login', 'ada'), { [SECRET_HEADER]: 'wrong' })).status).toBe(401);

		const sent: Array<{ body: string; fired: number }> = [];
		for (const body of [
			postHogBody(globodyne, 'login', 'ada'),
			postHogBody(quiet, 'login', 'zed'),
			postHogBody(globodyne, 'login', 'ada'),
			postHogBody(initrode, 'login', 'mia'),
			postHogBody(globodyne, 'plan_limit_reached', 'ada'),
			postHogBody(initrode, 'login', 'mia'),
			postHogBody(quiet, 'login', 'zed'),
			postHogBody(initrode, 'login', 'noah'),
		]) {
			const answer = await post(url, body, secret);
			expect(answer).toEqual({ status: 200, json: expect.objectContaining({ accepted: 1, duplicates: 0 }) });
			sent.push({ body, fired: answer.json.fired as number });
		}
		expect(sent.map((request) => request.fired)).toEqual([0, 0, 0, 0, 1, 0, 0, 1]);
		// PostHog retries on a time-out or a 5xx: the same event (same uuid) again counts once, fires nothing.
		for (const { body } of sent.filter((request) => request.fired === 1)) {
			expect((await post(url, body, secret)).json).toMatchObject({ accepted: 0, duplicates: 1, fired: 0 });
		}

		await exactlyExecutions(workflowId, 2);
		const fired = oneItemEach(await firedItems(workflowId));
		expect(Object.keys(fired).sort()).toEqual(['globodyne', 'initrode']);
		const { globodyne: globodyneItem, initrode: initrodeItem } = fired;
		expect(globodyneItem.reasons).toEqual(['Logged in 2 times in the last 30 days (+2)', 'Reached a plan limit in the last 30 days (+2)']);
		const alerts = await until('two Slack alerts', () => (slackMessages('New PQL:').length >= 2 ? slackMessages('New PQL:') : undefined));
		await until('two deals', () => (vendors.hubspot.deals.size >= 2 ? true : undefined));

		const created = vendors.hubspot.companyByDomain('globodyne.io')!;
		expect(created.properties).toEqual({
			name: 'Globodyne',
			domain: 'globodyne.io',
			pql_score: '4',
			pql_tier: 'hot',
			pql_reasons: 'Logged in 2 times in the last 30 days (+2)\nReached a plan limit in the last 30 days (+2)',
			pql_model_version: globodyneItem.modelVersion,
		});
		const updated = vendors.hubspot.companies.get(990001)!;
		expect(updated.properties).toEqual({ name: 'Initrode GmbH', domain: 'initrode.io', pql_score: '3', pql_tier: 'hot', pql_reasons: 'Logged in 3 times in the last 30 days (+3)', pql_model_version: initrodeItem.modelVersion });
		expect([...vendors.hubspot.companies.values()].filter((company) => company.properties.domain === 'initrode.io')).toHaveLength(1);

		const deals = [...vendors.hubspot.deals.values()].sort((a, b) => a.properties.dealname.localeCompare(b.properties.dealname));
		expect(deals.map((deal) => [deal.properties.dealname, deal.properties.dealstage, deal.properties.pql_score, deal.companyIds])).toEqual([
			['PQL: Globodyne', 'appointmentscheduled', '4', [created.id]],
			['PQL: Initrode', 'appointmentscheduled', '3', [990001]],
		]);
		if (globodyneItem.fireId !== undefined) expect(deals.map((deal) => deal.properties.pql_fire_id)).toEqual([globodyneItem.fireId, initrodeItem.fireId]);

		expect(alerts).toHaveLength(2);
		const alert = alerts.find((message) => String(message.text).includes('Globodyne'))!;
		const initrodeAlert = alerts.find((message) => String(message.text).includes('Initrode'))!;
		expect(alert).toMatchObject({ method: 'chat.postMessage', channel: 'C0PQLALERT', text: 'New PQL: Globodyne, score 4/3 (hot)' });
		const blocks = alert.blocks as Array<Record<string, any>>;
		expect(blocks.map((block) => block.type)).toEqual(['header', 'section', 'section', 'section', 'section', 'actions', 'context']);
		expect(blocks[0].text.text).toBe('New PQL: Globodyne (4)');
		expect(blocks[1].text.text).toBe('*Globodyne* became a product-qualified lead: score 2 → *4* (threshold 3), tier *hot*.');
		expect(blocks[2].text.text).toBe('*What they did*\n• Logged in 2 times in the last 30 days (+2)');
		expect(blocks[3].text.text).toBe('*Plan limits and buying signals*\n• Reached a plan limit in the last 30 days (+2)');
		expect(blocks[4].fields.map((field: { text: string }) => field.text)).toEqual(['*Domain*\nglobodyne.io', '*Industry*\ncomputer software', '*Employees*\n450', '*Country*\nUnited States']);
		expect(blocks[5].elements.map((button: { url: string }) => button.url)).toEqual(['https://app.example.com/admin/accounts/globodyne', 'https://us.posthog.com/project/1/groups/0/globodyne']);
		expect(blocks[6].elements[0].text).toContain('Contacts: ada@globodyne.io');
		expect((initrodeAlert.blocks as Array<Record<string, any>>)[2].text.text).toBe('*What they did*\n• Logged in 3 times in the last 30 days (+3)');
		expect(apollo.lookups('quietco.io')).toHaveLength(0);
	});
});

describe('Segment → Salesforce lead + task → e-mail to the owner (pql-segment-to-salesforce-and-email.json)', () => {
	const segmentCall = (call: Record<string, unknown>) => ({ messageId: randomUUID(), timestamp: new Date(Date.now() - 30_000).toISOString(), ...call });
	const sign = (raw: string) => createHmac('sha1', SEGMENT_SECRET).update(raw).digest('hex');

	test('signed Webhooks-destination bodies: leads upserted with the PQL fields, a call task each, and the owner e-mailed; retries fire nothing', async () => {
		apollo.company('umbra.io', apolloOrganization('umbra.io', { name: 'Umbra Labs', estimated_num_employees: 80, industry: 'computer software', country: 'France' })).script('umbra.io', 'match');
		apollo.company('bigcorp.io', apolloOrganization('bigcorp.io', { name: 'Bigcorp', estimated_num_employees: 5000, industry: 'banking', country: 'United Kingdom' })).script('bigcorp.io', 'match');
		const { workflowId, url } = await deployTrigger(
			runnableVariant(TEMPLATES.salesforceEmail, { name: 'templates: Salesforce + e-mail (signed)', parameters: { [TRIGGER_NODE_NAME]: { rulesSource: 'json', rulesJson: TRIGGER_RULES } } }),
		);
		const bodies = [
			segmentCall({ type: 'identify', userId: 'lena', traits: { email: 'lena@umbra.io', name: 'Lena Vogel' }, context: { groupId: 'umbra' } }),
			segmentCall({ type: 'group', userId: 'lena', groupId: 'umbra', traits: { name: 'Umbra Labs' } }),
			segmentCall({ type: 'identify', userId: 'omar', traits: { email: 'omar@bigcorp.io', name: 'Omar Haddad' }, context: { groupId: 'bigcorp' } }),
			segmentCall({ type: 'track', userId: 'lena', event: 'login', context: { groupId: 'umbra' } }),
			segmentCall({ type: 'track', userId: 'lena', event: 'login', context: { groupId: 'umbra' } }),
			segmentCall({ type: 'track', userId: 'omar', event: 'login', context: { groupId: 'bigcorp' } }),
			segmentCall({ type: 'track', userId: 'sam', event: 'login', context: { groupId: 'smallco', traits: { email: 'sam@smallco.io' } } }),
			segmentCall({ type: 'track', userId: 'lena', event: 'plan_limit_reached', context: { groupId: 'umbra' } }),
			segmentCall({ type: 'track', userId: 'omar', event: 'login', context: { groupId: 'bigcorp' } }),
			segmentCall({ type: 'track', userId: 'omar', event: 'login', context: { groupId: 'bigcorp' } }),
		].map((body) => JSON.stringify(body));
		expect((await post(url, bodies[0], { 'x-signature': sign('something else') })).status).toBe(401);
		const fired: number[] = [];
		for (const raw of bodies) {
			const answer = await post(url, raw, { 'x-signature': sign(raw) });
			expect(answer.status).toBe(200);
			fired.push(answer.json.fired as number);
		}
		expect(fired).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 1]);
		// Segment retries failed deliveries for hours with the same messageId and the same signed bytes.
		for (const raw of [bodies[7], bodies[9]]) expect((await post(url, raw, { 'x-signature': sign(raw) })).json).toMatchObject({ duplicates: 1, fired: 0 });

		await exactlyExecutions(workflowId, 2);
		const items = oneItemEach(await firedItems(workflowId));
		expect(Object.keys(items).sort()).toEqual(['bigcorp', 'umbra']);
		const { umbra, bigcorp } = items;
		await vendors.smtp.waitForMessages(2);

		const leadOf = (accountId: string) => vendors.salesforce.recordsOf('lead').filter((lead) => lead.fields.PQL_Account_Id__c === accountId);
		const leads = [...leadOf('umbra'), ...leadOf('bigcorp')];
		expect(vendors.salesforce.recordsOf('lead')).toHaveLength(2);
		expect(leads.map((lead) => lead.fields)).toEqual([
			{
				Company: 'Umbra Labs',
				LastName: 'lena',
				Email: 'lena@umbra.io',
				NumberOfEmployees: 80,
				Industry: 'computer software',
				LeadSource: 'Product Qualified Lead',
				PQL_Score__c: 4,
				PQL_Tier__c: 'hot',
				PQL_Reasons__c: 'Logged in 2 times in the last 30 days (+2)\nReached a plan limit in the last 30 days (+2)',
				PQL_Model_Version__c: umbra.modelVersion,
				PQL_Account_Id__c: 'umbra',
			},
			expect.objectContaining({ Company: 'Bigcorp', LastName: 'omar', Email: 'omar@bigcorp.io', NumberOfEmployees: 5000, PQL_Score__c: 3, PQL_Account_Id__c: 'bigcorp', PQL_Model_Version__c: bigcorp.modelVersion }),
		]);
		const tasks = vendors.salesforce.recordsOf('task');
		expect(tasks.map((task) => task.fields).sort((a, b) => String(a.Subject).localeCompare(String(b.Subject)))).toEqual([
			{ Status: 'Not Started', Subject: 'Call Bigcorp: PQL, score 3', WhoId: leads[1].Id, Priority: 'High', Description: 'Logged in 3 times in the last 30 days (+3)' },
			{ Status: 'Not Started', Subject: 'Call Umbra Labs: PQL, score 4', WhoId: leads[0].Id, Priority: 'High', Description: 'Logged in 2 times in the last 30 days (+2)\nReached a plan limit in the last 30 days (+2)' },
		]);

		const [toSales] = mailsTo('sales@example.com');
		expect(toSales).toMatchObject({ from: 'pql-alerts@example.com', subject: 'New PQL for you: Umbra Labs (score 4)', secure: true, user: SMTP_USER });
		expect(toSales.text).toBe(
			[
				'Hi Sales team,',
				'',
				'Umbra Labs just became a product-qualified lead: score 4 (threshold 3), tier hot.',
				'',
				'Why:',
				'• Logged in 2 times in the last 30 days (+2)',
				'• Reached a plan limit in the last 30 days (+2)',
				'',
				'Company: computer software · 80 employees · France',
				'Contact: lena@umbra.io',
				'',
				'The lead and a call task are in Salesforce.',
			].join('\n'),
		);
		// 5,000 employees: routed to the enterprise team.
		const [toEnterprise] = mailsTo('enterprise-sales@example.com');
		expect(toEnterprise.subject).toBe('New PQL for you: Bigcorp (score 3)');
		expect(toEnterprise.text).toContain('• Logged in 3 times in the last 30 days (+3)');
		expect(vendors.smtp.messages).toHaveLength(2);
	});

	test('@segment/analytics-node with host and path set to the trigger (write key): its retry after a lost answer fires nothing twice', async () => {
		apollo.company('nodeco.io', apolloOrganization('nodeco.io', { name: 'Nodeco', estimated_num_employees: 60 })).script('nodeco.io', 'match');
		const { workflowId, webhookPath } = await deployTrigger(
			runnableVariant(TEMPLATES.salesforceEmail, {
				name: 'templates: Salesforce + e-mail (analytics-node)',
				parameters: { [TRIGGER_NODE_NAME]: { authentication: 'segmentWriteKey', rulesSource: 'json', rulesJson: TRIGGER_RULES } },
			}),
		);
		// A proxy that delivers the first batch to n8n but loses the answer (503), as a dropped
		// connection would: analytics-node sends the same batch again.
		const deliveries: Array<{ status: number; answer: string }> = [];
		const proxy = http.createServer((request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => {
				const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => ['content-type', 'authorization', 'user-agent'].includes(name))) as Record<string, string>;
				httpRequest(`${n8n.baseUrl}${request.url}`, { method: 'POST', headers, body: Buffer.concat(chunks) }).then(
					(answer) => {
						deliveries.push({ status: answer.status, answer: answer.body });
						if (deliveries.length === 1) response.writeHead(503).end();
						else response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
					},
					() => response.writeHead(502).end(),
				);
			});
		});
		await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
		try {
			const port = (proxy.address() as { port: number }).port;
			const analytics = new Analytics({ writeKey: WRITE_KEY, host: `http://127.0.0.1:${port}`, path: `/webhook/${webhookPath}`, flushAt: 50, flushInterval: 300, maxRetries: 3 });
			const errors: unknown[] = [];
			analytics.on('error', (error) => errors.push(error));
			analytics.identify({ userId: 'kim', traits: { email: 'kim@nodeco.io', name: 'Kim Park' }, context: { groupId: 'nodeco' } });
			analytics.group({ userId: 'kim', groupId: 'nodeco', traits: { name: 'Nodeco' } });
			for (let n = 0; n < 3; n++) analytics.track({ userId: 'kim', event: 'login', context: { groupId: 'nodeco' } });
			analytics.track({ userId: 'lee', event: 'login', context: { groupId: 'idleco', traits: { email: 'lee@idleco.io' } } });
			await analytics.closeAndFlush({ timeout: 30_000 });
			expect(errors).toEqual([]);
		} finally {
			await new Promise((resolve) => proxy.close(resolve));
		}
		expect(deliveries.map((delivery) => delivery.status)).toEqual([200, 200]);
		expect(JSON.parse(deliveries[0].answer)).toMatchObject({ accepted: 6, duplicates: 0, fired: 1 });
		expect(JSON.parse(deliveries[1].answer)).toMatchObject({ accepted: 0, duplicates: 6, fired: 0 });

		await exactlyExecutions(workflowId, 1);
		expect((await firedItems(workflowId)).map((run) => run.map((item) => item.accountId))).toEqual([['nodeco']]);
		const lead = await until('the Nodeco lead', () => vendors.salesforce.recordsOf('lead').find((record) => record.fields.PQL_Account_Id__c === 'nodeco'));
		expect(lead.fields).toMatchObject({ Company: 'Nodeco', LastName: 'kim', Email: 'kim@nodeco.io', NumberOfEmployees: 60, PQL_Score__c: 3 });
		const mail = await until('the e-mail about Nodeco', () => vendors.smtp.messages.find((message) => message.subject === 'New PQL for you: Nodeco (score 3)'));
		expect(mail.to).toEqual(['sales@example.com']);
		expect(mail.text).toContain('• Logged in 3 times in the last 30 days (+3)');
		expect(vendors.salesforce.recordsOf('lead').filter((record) => record.fields.PQL_Account_Id__c === 'idleco')).toHaveLength(0);
	});
});

describe('Nightly digest (pql-nightly-posthog-digest-to-slack.json)', () => {
	test('PostHog pull → PQL Score (only new PQLs since the last run) → one Slack digest; the next night posts nothing', async () => {
		const hookPath = `nightly-${randomUUID().slice(0, 8)}`;
		const variant = runnableVariant(TEMPLATES.nightlyDigest, {
			name: 'templates: nightly digest',
			replace: { 'Every Night at 7': webhookInstead(hookPath) },
			parameters: { 'PQL PostHog Query': { until: AS_OF }, 'PQL Score': { options: { onlyNewPqls: true, asOf: AS_OF } } },
		});
		const workflowId = await n8n.importWorkflow(variant);
		await n8n.activateWorkflow(workflowId);
		const before = slackMessages('').length;

		const first = await post(`${n8n.baseUrl}/webhook/${hookPath}`, '{}');
		expect(first.status).toBe(200);
		const digests = slackMessages('1 new PQL');
		expect(digests).toHaveLength(1);
		expect(digests[0].text).toBe('1 new PQL since the last run: Acme Inc');
		const blocks = digests[0].blocks as Array<Record<string, any>>;
		expect(blocks[0].text.text).toBe('1 new PQL since the last run');
		expect(blocks[1].text.text).toBe('• *Acme Inc*: score 80 (hot). Logged in 6 times in the last 7 days (+10); Completed the onboarding checklist (+15); Used the core feature 4 times in the last 30 days (+20)');

		const second = await post(`${n8n.baseUrl}/webhook/${hookPath}`, '{}');
		expect(second.status).toBe(200);
		expect(slackMessages('').length).toBe(before + 1);
		const executions = await settledExecutions(n8n, workflowId, 2);
		expect(executions.map((execution) => execution.status)).toEqual(['success', 'success']);
	});
});

describe('Lifecycle campaigns (pql-lifecycle-campaigns-email.json)', () => {
	test('the PQL gets the upgrade offer, the quiet account the nurture e-mail, both written from their reasons; once per account and campaign', async () => {
		const hookPath = `lifecycle-${randomUUID().slice(0, 8)}`;
		const variant = runnableVariant(TEMPLATES.lifecycle, {
			name: 'templates: lifecycle',
			replace: { 'Every Monday at 9': webhookInstead(hookPath) },
			parameters: { 'PQL PostHog Query': { until: AS_OF }, 'PQL Score': { options: { asOf: AS_OF } } },
		});
		const workflowId = await n8n.importWorkflow(variant);
		await n8n.activateWorkflow(workflowId);
		const mailsBefore = vendors.smtp.messages.length;

		expect((await post(`${n8n.baseUrl}/webhook/${hookPath}`, '{}')).status).toBe(200);
		const mails = await vendors.smtp.waitForMessages(mailsBefore + 2);
		const [upgrade, nurture] = ['Acme Inc is getting a lot out of Example App', 'Pick up where you left off in Example App'].map((subject) => mails.find((mail) => mail.subject === subject)!);
		expect(upgrade.from).toBe('ada@example.com');
		expect(['ada@acme.io', 'bob@acme.io']).toContain(upgrade.to[0]);
		expect(upgrade.text).toBe(
			[
				'Hi there,',
				'',
				'Here is what Acme Inc did in Example App lately:',
				'• Logged in 6 times in the last 7 days',
				'• Completed the onboarding checklist',
				'• Used the core feature 4 times in the last 30 days',
				'• Invited 3 teammates in the last 14 days',
				'',
				'And what tells us you may need more:',
				'• Viewed the pricing page in the last 30 days',
				'',
				'The paid plan lifts the limits and adds what growing teams ask for: https://app.example.com/billing/upgrade',
			].join('\n'),
		);
		expect(nurture.to).toEqual(['hank@globex.io']);
		expect(nurture.text).toMatch(/^Hi there,\n\n/);
		expect(nurture.text).toContain('Jump back in: https://app.example.com');

		expect((await post(`${n8n.baseUrl}/webhook/${hookPath}`, '{}')).status).toBe(200);
		await settledExecutions(n8n, workflowId, 2);
		expect(vendors.smtp.messages.length).toBe(mailsBefore + 2);
	});
});

describe('the templates on the canvas (headless Chromium)', () => {
	test('each template imported as the editor does, shot with nothing in the way; one execution\'s output', async () => {
		if (!chromiumInstalled()) throw new Error(`No Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
		const browser = await openN8nBrowser(n8n.baseUrl, OWNER_LOGIN);
		try {
			const ids: Record<string, string> = {};
			for (const file of Object.values(TEMPLATES)) {
				ids[file] = await importForEditor(n8n, readTemplate(file) as never);
				const shot = path.join(SCREENSHOTS_DIR, file.replace(/\.json$/, '-canvas.png'));
				expect({ file, problems: await browser.shootCanvas(ids[file], shot) }).toEqual({ file, problems: [] });
			}
			const output = path.join(SCREENSHOTS_DIR, 'pql-posthog-to-hubspot-and-slack-output.png');
			const shot = await browser.shootExecutionOutput(ids[TEMPLATES.hubspotSlack], 'Prepare HubSpot and Slack', output);
			expect(shot.problems).toEqual([]);
			// The output starts with what HubSpot and Slack receive.
			expect(shot.outputText).toContain('"pql_score":');
			expect(shot.outputText).toContain('"New PQL: Acme Inc, score 95/70 (hot)"');
		} finally {
			await browser.close();
		}
	});
});
