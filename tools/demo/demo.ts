/**
 * npm run demo — scores the bundled sample events (workflows/pql-score-demo.json) through the real
 * PQL Score node inside n8n-core's WorkflowExecute, and prints the PQLs with their reasons.
 * No accounts, no keys, no network.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { PqlScore } from '../../nodes/PqlScore/PqlScore.node';
import { NodeTypes } from '../../test/helpers/nodeTypes';
import { expectSuccess, outputItems, runWorkflow, type WorkflowJson } from '../../test/helpers/runWorkflow';

const WORKFLOW = join(__dirname, '../../workflows/pql-score-demo.json');

interface Scored {
	id: string;
	name: string | null;
	score: number;
	isPql: boolean;
	tier: string | null;
	reasons: string[];
	users: Array<{ email: string | null }>;
}

async function main(): Promise<void> {
	const workflow = JSON.parse(readFileSync(WORKFLOW, 'utf8')) as WorkflowJson;
	const run = await runWorkflow(workflow, { nodeTypes: new NodeTypes([new PqlScore()]) });
	expectSuccess(run);
	const scored = outputItems(run, 'PQL Score', 0) as unknown as Scored[];
	const invalid = outputItems(run, 'PQL Score', 1);
	const sampleCount = workflow.pinData?.['Sample Events']?.length ?? 0;

	console.log(`PQL Score (preset: worked example + negative signals) on ${sampleCount} sample items, as of ${(workflow.nodes[1].parameters.options as { asOf: string }).asOf}\n`);
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
	for (const account of pqls) console.log(`  ${(account as unknown as { summary: string }).summary}`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
