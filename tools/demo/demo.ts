/**
 * npm run demo — scores the bundled sample events (workflows/pql-score-demo.json) through the real
 * PQL Score node inside n8n-core's WorkflowExecute, and prints the PQLs with their reasons. Then
 * the PQLs go on through the Anti-PQL Filter and Enrich Account (against a local Apollo stand-in on
 * loopback), and the "Prepare HubSpot and Slack" step of workflows/pql-posthog-to-hubspot-and-slack.json
 * (its own Code node, run here as is) shows the Slack message and the HubSpot properties that
 * template would send. No accounts, no keys, no network.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { INode } from 'n8n-workflow';
import { ApolloApi } from '../../credentials/ApolloApi.credentials';
import { AntiPqlFilter } from '../../nodes/AntiPqlFilter/AntiPqlFilter.node';
import { EnrichAccount } from '../../nodes/EnrichAccount/EnrichAccount.node';
import { PqlScore } from '../../nodes/PqlScore/PqlScore.node';
import { CredentialsHelper } from '../../test/helpers/credentialsHelper';
import { NodeTypes } from '../../test/helpers/nodeTypes';
import { expectSuccess, outputItems, runWorkflow, type WorkflowJson } from '../../test/helpers/runWorkflow';
import { apolloOrganization, startApollo } from '../../test/helpers/vendors/apollo';

const WORKFLOW = join(__dirname, '../../workflows/pql-score-demo.json');
const ALERT_TEMPLATE = join(__dirname, '../../workflows/pql-posthog-to-hubspot-and-slack.json');
const PREPARE_NODE = 'Prepare HubSpot and Slack';

/** What the local Apollo stand-in answers for the sample's company domains. */
const SAMPLE_COMPANIES: Record<string, Record<string, unknown>> = {
	'globex.com': { name: 'Globex Corporation', estimated_num_employees: 120, industry: 'computer software', country: 'United States' },
	'acme.io': { name: 'Acme Inc', estimated_num_employees: 200, industry: 'logistics', country: 'Germany' },
};

interface Scored {
	id: string;
	name: string | null;
	score: number;
	isPql: boolean;
	tier: string | null;
	reasons: string[];
	users: Array<{ email: string | null }>;
	summary: string;
	asOf: string;
	antiPql?: { discarded: boolean; reasons: string[] };
	[field: string]: unknown;
}

interface SlackBlock {
	type: string;
	text?: { text: string };
	fields?: Array<{ text: string }>;
	elements?: Array<{ text: string | { text: string }; url?: string }>;
}

function node(name: string, type: string, x: number, parameters: INode['parameters'], credentials?: INode['credentials']): INode {
	return { id: name, name, type, typeVersion: 1, position: [x, 0], parameters, ...(credentials ? { credentials } : {}) };
}

/** The template's Code node, run on one item the way n8n's "Run Once for Each Item" mode does. */
function prepareAlert(item: Scored): { hubspot: Record<string, unknown>; slack: { text: string; blocks: SlackBlock[] } } {
	const template = JSON.parse(readFileSync(ALERT_TEMPLATE, 'utf8')) as WorkflowJson;
	const code = String(template.nodes.find((candidate) => candidate.name === PREPARE_NODE)!.parameters.jsCode);
	// The trigger's field names for what PQL Score calls name / asOf; no earlier score in a batch.
	const asTriggerItem = { ...item, accountId: item.id, accountName: item.name, previousScore: null, fireId: `${item.id}:1` };
	const run = new Function('$json', code) as (json: unknown) => { json: { hubspot: Record<string, unknown>; slack: { text: string; blocks: SlackBlock[] } } };
	return run(asTriggerItem).json;
}

function printSlack(blocks: SlackBlock[]): void {
	for (const block of blocks) {
		const lines: string[] = [];
		if (block.text) lines.push(...block.text.text.split('\n'));
		if (block.fields) lines.push(block.fields.map((field) => field.text.replace('\n', ': ')).join('   '));
		if (block.type === 'actions') lines.push((block.elements ?? []).map((button) => `[${typeof button.text === 'string' ? button.text : button.text.text}](${button.url})`).join('  '));
		if (block.type === 'context') lines.push((block.elements ?? []).map((element) => String(element.text)).join(' '));
		for (const line of lines) console.log(`  │ ${line}`);
		console.log('  │');
	}
}

async function main(): Promise<void> {
	const workflow = JSON.parse(readFileSync(WORKFLOW, 'utf8')) as WorkflowJson;
	const run = await runWorkflow(workflow, { nodeTypes: new NodeTypes([new PqlScore()]) });
	expectSuccess(run);
	const scored = outputItems(run, 'PQL Score', 0) as unknown as Scored[];
	const invalid = outputItems(run, 'PQL Score', 1);
	const sampleCount = workflow.pinData?.['Sample Events']?.length ?? 0;
	const asOf = (workflow.nodes[1].parameters.options as { asOf: string }).asOf;

	console.log(`PQL Score (preset: worked example + negative signals) on ${sampleCount} sample items, as of ${asOf}\n`);
	for (const account of scored) {
		const marker = account.isPql ? 'PQL ' : '    ';
		const contact = account.users.map((user) => user.email).filter(Boolean).join(', ');
		console.log(`${marker}${String(account.score).padStart(5)}  ${(account.tier ?? '-').padEnd(5)} ${account.name ?? account.id}${contact ? `  <${contact}>` : ''}`);
		for (const reason of account.reasons) console.log(`              · ${reason}`);
	}
	const pqls = scored.filter((account) => account.isPql);
	console.log(`\n${pqls.length} of ${scored.length} accounts are PQLs. ${invalid.length} input items were reported on the "Invalid Events" output:`);
	for (const item of invalid) console.log(`  item ${item.itemIndex}: ${item.reason}`);
	console.log('\nSlack-ready summaries:');
	for (const account of pqls) console.log(`  ${account.summary}`);

	// PQL Score → Anti-PQL Filter → Enrich Account, the PQLs only, against a local Apollo stand-in.
	const apollo = await startApollo();
	try {
		for (const [domain, company] of Object.entries(SAMPLE_COMPANIES)) apollo.company(domain, apolloOrganization(domain, company)).script(domain, 'match');
		const scoreNode = workflow.nodes.find((candidate) => candidate.name === 'PQL Score')!;
		const chain: WorkflowJson = {
			...workflow,
			nodes: [
				...workflow.nodes,
				node('Anti-PQL Filter', 'n8n-nodes-pql.antiPqlFilter', 520, { options: { asOf } }),
				node('Enrich Account', 'n8n-nodes-pql.enrichAccount', 780, { provider: 'apollo' }, { apolloApi: { id: 'demo', name: 'Apollo (local stand-in)' } }),
			],
			connections: {
				...workflow.connections,
				'PQL Score': { main: [[{ node: 'Anti-PQL Filter', type: 'main', index: 0 }]] },
				'Anti-PQL Filter': { main: [[{ node: 'Enrich Account', type: 'main', index: 0 }]] },
			},
		};
		scoreNode.parameters = { ...scoreNode.parameters, options: { ...(scoreNode.parameters.options as object), onlyPqls: true } };
		const credentials = new CredentialsHelper([new ApolloApi()], { apolloApi: { apiKey: apollo.apiKey, baseUrl: apollo.baseUrl } });
		const alertRun = await runWorkflow(chain, { nodeTypes: new NodeTypes([new PqlScore(), new AntiPqlFilter(), new EnrichAccount()]), credentials });
		expectSuccess(alertRun);
		const discarded = outputItems(alertRun, 'Anti-PQL Filter', 1) as unknown as Scored[];
		const enriched = outputItems(alertRun, 'Enrich Account') as unknown as Scored[];

		console.log('\nAnti-PQL Filter → Enrich Account (Apollo, answered by a local stand-in):');
		for (const account of discarded) console.log(`  discarded ${account.name ?? account.id}: ${account.antiPql?.reasons.join('; ')}`);
		for (const account of enriched) {
			const company = account.company as { name: string | null; domain: string | null; employees: number | null; industry: string | null; country: string | null };
			console.log(`  kept      ${account.name ?? account.id} → ${company.name ?? '?'} (${company.domain}), ${company.employees ?? '?'} employees, ${company.industry ?? '?'}, ${company.country ?? '?'}`);
		}

		console.log(`\nWhat workflows/pql-posthog-to-hubspot-and-slack.json would send ("${PREPARE_NODE}", its own code):`);
		for (const account of enriched) {
			const { hubspot, slack } = prepareAlert(account);
			console.log(`\nSlack (chat.postMessage, fallback text "${slack.text}"):`);
			printSlack(slack.blocks);
			console.log('HubSpot company properties (upserted by domain) and deal:');
			for (const [property, value] of Object.entries(hubspot)) console.log(`  ${property.padEnd(18)} ${String(value).split('\n').join('\n' + ' '.repeat(21))}`);
		}
	} finally {
		await apollo.close();
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
