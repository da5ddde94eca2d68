import type { IDataObject } from 'n8n-workflow';
import { PqlScore } from '../../nodes/PqlScore/PqlScore.node';
import type { ModelConfig } from '../../nodes/engine/rules/schema';
import { NodeTypes } from '../../test/helpers/nodeTypes';
import { expectSuccess, jsonItems, nodeRun, outputItems, runWorkflow } from '../../test/helpers/runWorkflow';

/** Runs the PQL Score node on `events` (one per item) inside WorkflowExecute; returns n8n's own executionTime. */
export async function runNodeBench(events: object[], model: ModelConfig, asOf: number): Promise<{ ms: number; accounts: number }> {
	const workflow = {
		nodes: [
			{ id: '1', name: 'Events', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} },
			{
				id: '2',
				name: 'PQL Score',
				type: 'n8n-nodes-pql.pqlScore',
				typeVersion: 1,
				position: [200, 0] as [number, number],
				parameters: { rulesSource: 'json', rulesJson: JSON.stringify(model), options: { asOf: new Date(asOf).toISOString() } },
			},
		],
		connections: { Events: { main: [[{ node: 'PQL Score', type: 'main' as const, index: 0 }]] } },
	};
	const pinData = { Events: jsonItems(events as IDataObject[]) };
	let best = Infinity;
	let accounts = 0;
	for (let run = 0; run < 3; run++) {
		const result = await runWorkflow(workflow, { nodeTypes: new NodeTypes([new PqlScore()]), pinData });
		expectSuccess(result);
		best = Math.min(best, nodeRun(result, 'PQL Score').executionTime);
		accounts = outputItems(result, 'PQL Score').length;
	}
	return { ms: best, accounts };
}
