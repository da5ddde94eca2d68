/**
 * The package's nodes chained in n8n's own engine: PQL Score → Anti-PQL Filter → Enrich Account,
 * and Enrich Account → PQL Score, whose fit rules read the enriched traits without a mapping step.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { IConnections, IDataObject, INode, IPinData } from 'n8n-workflow';
import { ApolloApi } from '../../credentials/ApolloApi.credentials';
import { HunterApi } from '../../credentials/HunterApi.credentials';
import { PeopleDataLabsApi } from '../../credentials/PeopleDataLabsApi.credentials';
import { AntiPqlFilter } from '../../nodes/AntiPqlFilter/AntiPqlFilter.node';
import { EnrichAccount } from '../../nodes/EnrichAccount/EnrichAccount.node';
import { PqlScore } from '../../nodes/PqlScore/PqlScore.node';
import { CredentialsHelper } from '../helpers/credentialsHelper';
import { NodeTypes } from '../helpers/nodeTypes';
import { expectSuccess, jsonItems, outputItems, runWorkflow, type WorkflowJson } from '../helpers/runWorkflow';
import { startApollo } from '../helpers/vendors/apollo';
import type { EnrichmentStandIn } from '../helpers/vendors/enrichmentStandIn';
import { pdlCompany, startPeopleDataLabs } from '../helpers/vendors/peopleDataLabs';

const AS_OF = '2026-11-20T12:00:00.000Z';
const nodeTypes = new NodeTypes([new PqlScore(), new AntiPqlFilter(), new EnrichAccount()]);
const demo = JSON.parse(readFileSync(join(__dirname, '../../workflows/pql-score-demo.json'), 'utf8')) as WorkflowJson;

let apollo: EnrichmentStandIn;
let pdl: EnrichmentStandIn;

beforeEach(async () => {
	[apollo, pdl] = await Promise.all([startApollo(), startPeopleDataLabs()]);
});

afterEach(async () => {
	await Promise.all([apollo.close(), pdl.close()]);
});

function credentials(): CredentialsHelper {
	return new CredentialsHelper([new ApolloApi(), new PeopleDataLabsApi(), new HunterApi()], {
		apolloApi: { apiKey: apollo.apiKey, baseUrl: apollo.baseUrl },
		peopleDataLabsApi: { apiKey: pdl.apiKey, baseUrl: pdl.baseUrl },
	});
}

function node(name: string, type: string, x: number, parameters: INode['parameters']): INode {
	const credentials = type === 'enrichAccount' ? { apolloApi: { id: '1', name: 'Apollo' }, peopleDataLabsApi: { id: '2', name: 'PDL' } } : undefined;
	return { id: name, name, type: `n8n-nodes-pql.${type}`, typeVersion: 1, position: [x, 0], parameters, ...(credentials ? { credentials } : {}) };
}

function chain(nodes: INode[], connections: IConnections, pinData: IPinData): WorkflowJson {
	const trigger: INode = { id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [-200, 0], parameters: {} };
	return { nodes: [trigger, ...nodes], connections, pinData };
}

const to = (target: string) => [{ node: target, type: 'main' as const, index: 0 }];
const waterfall = { provider: 'waterfall', waterfall: { providers: [{ provider: 'apollo' }, { provider: 'peopleDataLabs' }] } };
const fastRetries = { retries: 1, retryWaitMs: 20 };

test('PQL Score → Anti-PQL Filter (both outputs, with reasons) → Enrich Account (waterfall, Apollo failing)', async () => {
	apollo.script('globex.com', 'serverError');
	apollo.script('acme.io', 'serverError');
	pdl.script('globex.com', 'match');
	pdl.script('acme.io', 'match');
	const workflow = chain(
		[
			node('PQL Score', 'pqlScore', 0, { rulesSource: 'presetWithNegatives', options: { asOf: AS_OF } }),
			node('Anti-PQL Filter', 'antiPqlFilter', 200, { competitor: true, competitorDomains: 'initech.com', options: { asOf: AS_OF } }),
			node('Enrich Account', 'enrichAccount', 400, { ...waterfall, options: fastRetries }),
		],
		{ Start: { main: [to('PQL Score')] }, 'PQL Score': { main: [to('Anti-PQL Filter')] }, 'Anti-PQL Filter': { main: [to('Enrich Account')] } },
		{ Start: demo.pinData!['Sample Events'] },
	);
	const run = await runWorkflow(workflow, { nodeTypes, credentials: credentials() });
	expectSuccess(run);

	const kept = outputItems(run, 'Anti-PQL Filter', 0);
	const discarded = outputItems(run, 'Anti-PQL Filter', 1);
	expect(kept.map((item) => item.id)).toEqual(['globex', 'acme']);
	expect(discarded.map((item) => [item.id, (item.antiPql as IDataObject).reasons])).toEqual([
		['initech.com', ['Competitor domain initech.com']],
		['umbrella', ['No activity for 28 days']],
	]);

	const enriched = outputItems(run, 'Enrich Account');
	expect(enriched.map((item) => [item.id, item.score, (item.company as IDataObject).domain, (item.enrichment as IDataObject).status, (item.enrichment as IDataObject).provider])).toEqual([
		['globex', 130, 'globex.com', 'matched', 'peopleDataLabs'],
		['acme', 80, 'acme.io', 'matched', 'peopleDataLabs'],
	]);
	expect((enriched[1].enrichment as IDataObject).reason).toBe('Apollo: failed with 500: Internal Server Error (after 1 retry); People Data Labs: matched');
	expect(enriched[1].reasons).toContain('Invited 3 teammates in the last 14 days (+15)');
	expect(apollo.lookups()).toHaveLength(4);
	expect(pdl.lookups()).toHaveLength(2);
});

const softwareCompany = (domain: string) => pdlCompany(domain, { employee_count: 180, industry: 'software' });

test('Enrich Account → PQL Score on account rows: the worked example\'s fit rules fire on the enriched fields', async () => {
	pdl.company('acme.io', softwareCompany('acme.io')).script('acme.io', 'match');
	const rows = [
		{ account_id: 'acme', domain: 'acme.io', frequent_logins: 6, completed_onboarding: 1, core_feature_adoption: 4 },
		{ account_id: 'globex', domain: 'globex.com', frequent_logins: 6, completed_onboarding: 1, core_feature_adoption: 4 },
	];
	const workflow = chain(
		[node('Enrich Account', 'enrichAccount', 0, { provider: 'peopleDataLabs' }), node('PQL Score', 'pqlScore', 200, { inputMode: 'accountRows', idField: 'account_id', options: { asOf: AS_OF } })],
		{ Start: { main: [to('Enrich Account')] }, 'Enrich Account': { main: [to('PQL Score')] } },
		{ Start: jsonItems(rows) },
	);
	const run = await runWorkflow(workflow, { nodeTypes, credentials: credentials() });
	expectSuccess(run);
	const scored = outputItems(run, 'PQL Score');
	expect(scored.map((item) => [item.id, item.score, item.isPql])).toEqual([
		['acme', 65, false],
		['globex', 45, false],
	]);
	expect(scored[0].reasons).toEqual(expect.arrayContaining(['Company of target size: 180 employees (+10)', 'Target industry: Software (+10)']));
	expect(scored[1].reasons).not.toEqual(expect.arrayContaining([expect.stringMatching(/^Company of target size/)]));
});

test('Enrich Account → PQL Score on flat product events: the traits attach to the account through accountTraits', async () => {
	pdl.company('acme.io', softwareCompany('acme.io')).script('acme.io', 'match');
	const at = (hoursAgo: number) => new Date(Date.parse(AS_OF) - hoursAgo * 3_600_000).toISOString();
	const events = Array.from({ length: 6 }, (_, n) => ({ userId: 'ada', email: 'ada@acme.io', event: 'user_logged_in', timestamp: at(n * 20) }));
	const workflow = chain(
		[node('Enrich Account', 'enrichAccount', 0, { provider: 'peopleDataLabs' }), node('PQL Score', 'pqlScore', 200, { options: { asOf: AS_OF } })],
		{ Start: { main: [to('Enrich Account')] }, 'Enrich Account': { main: [to('PQL Score')] } },
		{ Start: jsonItems(events) },
	);
	const run = await runWorkflow(workflow, { nodeTypes, credentials: credentials() });
	expectSuccess(run);
	expect(pdl.lookups()).toHaveLength(1);
	const [account] = outputItems(run, 'PQL Score');
	expect(account).toMatchObject({ id: 'acme.io', score: 30, name: 'Acme' });
	expect(account.reasons).toEqual(['Logged in 6 times in the last 7 days (+10)', 'Company of target size: 180 employees (+10)', 'Target industry: Software (+10)']);
});
