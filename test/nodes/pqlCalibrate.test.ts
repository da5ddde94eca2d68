import { readFileSync } from 'fs';
import { join } from 'path';
import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { PqlCalibrate } from '../../nodes/PqlCalibrate/PqlCalibrate.node';
import { PqlPostHogQuery } from '../../nodes/PqlPostHogQuery/PqlPostHogQuery.node';
import { PqlScore } from '../../nodes/PqlScore/PqlScore.node';
import { generateHistory, HISTORY_AS_OF, HISTORY_MODEL } from '../helpers/calibrationHistory';
import { NodeTypes } from '../helpers/nodeTypes';
import { expectSuccess, jsonItems, nodeRun, outputItems, runWorkflow, type WorkflowJson } from '../helpers/runWorkflow';

/** Stands in for a vendor node of n8n-nodes-base: emits its Text parameter, evaluated per item. */
class VendorStandIn implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Vendor Stand-In',
		name: 'vendorStandIn',
		group: ['output'],
		version: [1, 2, 2.2, 2.7],
		description: 'Test-only stand-in for a vendor node',
		defaults: { name: 'Vendor Stand-In' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Text', name: 'text', type: 'string', default: '' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData().map((_, item) => ({ json: { text: this.getNodeParameter('text', item, '') as string }, pairedItem: { item } }))];
	}
}

const nodeTypes = new NodeTypes([new PqlCalibrate(), new PqlScore(), new PqlPostHogQuery()])
	.add('n8n-nodes-base.hubspot', new VendorStandIn())
	.add('n8n-nodes-base.slack', new VendorStandIn());
const template = JSON.parse(readFileSync(join(__dirname, '../../workflows/pql-calibrate-from-crm.json'), 'utf8')) as WorkflowJson & { nodes: INode[] };
const history = generateHistory(400, 5);
const AS_OF = new Date(HISTORY_AS_OF).toISOString();

function calibrateWorkflow(parameters: INode['parameters'], extra: Partial<INode> = {}): WorkflowJson {
	const fixture = (id: string, name: string, y: number): INode => ({ id, name, type: 'test.fixture', typeVersion: 1, position: [200, y], parameters: {} });
	return {
		nodes: [
			{ id: '1', name: 'Run', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			fixture('2', 'Events', -100),
			fixture('3', 'Won Deals', 100),
			{ id: '4', name: 'PQL Calibrate', type: 'n8n-nodes-pql.pqlCalibrate', typeVersion: 1, position: [400, 0], parameters, ...extra },
		],
		connections: {
			Run: { main: [[{ node: 'Events', type: 'main', index: 0 }, { node: 'Won Deals', type: 'main', index: 0 }]] },
			Events: { main: [[{ node: 'PQL Calibrate', type: 'main', index: 0 }]] },
			'Won Deals': { main: [[{ node: 'PQL Calibrate', type: 'main', index: 1 }]] },
		},
	};
}

const baseParameters: INode['parameters'] = {
	rulesSource: 'json',
	rulesJson: JSON.stringify(HISTORY_MODEL),
	asOf: AS_OF,
	accountIdField: 'accountId',
	convertedAtField: 'convertedAt',
};

async function run(parameters: INode['parameters'] = {}, outcomes: IDataObject[] = history.outcomes as unknown as IDataObject[], extra: Partial<INode> = {}) {
	return await runWorkflow(calibrateWorkflow({ ...baseParameters, ...parameters }, extra), {
		nodeTypes,
		pinData: { Events: jsonItems(history.events as unknown as IDataObject[]), 'Won Deals': jsonItems(outcomes) },
	});
}

describe('PQL Calibrate node in WorkflowExecute', () => {
	test('Report: metrics, suggestion, Markdown and the lift chart as SVG binary; Rules: one item per rule', async () => {
		const result = await run();
		expectSuccess(result);
		const [report] = outputItems(result, 'PQL Calibrate', 0);
		expect(report).toMatchObject({ accounts: 400, converted: history.outcomes.length, backtest: { mode: 'beforeConversion', asOf: AS_OF, leadTimeDays: 7 } });
		expect(report.current).toMatchObject({ accounts: 400 });
		expect(Object.keys(report.comparison as object)).toEqual(['current', 'currentWithSuggestedThreshold', 'suggested']);
		expect(report.markdown).toContain('| metric | current | current points, suggested threshold | suggested |');
		expect(report.invalidEvents).toBe(0);
		const main = nodeRun(result, 'PQL Calibrate').data!.main;
		const chart = main[0]![0].binary!.liftChart;
		expect(chart).toMatchObject({ mimeType: 'image/svg+xml', fileName: 'pql-lift-chart.svg' });
		expect(Buffer.from(chart.data, 'base64').toString('utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
		const rules = outputItems(result, 'PQL Calibrate', 1);
		expect(rules.map((rule) => rule.name)).toEqual(HISTORY_MODEL.rules.map((rule) => rule.name));
		expect(rules[0]).toEqual(
			expect.objectContaining({ category: 'usage', currentPoints: 10, suggestedPoints: expect.any(Number), fireRateConverted: expect.any(Number), lift: expect.any(Number) }),
		);
		const paired = (items: INodeExecutionData[] | null | undefined) => (items ?? [])[0].pairedItem;
		expect(paired(main[0])).toEqual(history.outcomes.map((_, item) => ({ item, input: 1 })));
		expect(paired(main[1])).toEqual(history.outcomes.map((_, item) => ({ item, input: 1 })));
	});

	test('the rules JSON is ready to paste: PQL Score runs it on the same events', async () => {
		const calibration = await run();
		const rulesJson = outputItems(calibration, 'PQL Calibrate', 0)[0].rulesJson as string;
		const scoring: WorkflowJson = {
			nodes: [
				{ id: '1', name: 'Events', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{ id: '2', name: 'PQL Score', type: 'n8n-nodes-pql.pqlScore', typeVersion: 1, position: [200, 0], parameters: { rulesSource: 'json', rulesJson, options: { asOf: AS_OF } } },
			],
			connections: { Events: { main: [[{ node: 'PQL Score', type: 'main', index: 0 }]] } },
		};
		const scored = await runWorkflow(scoring, { nodeTypes, pinData: { Events: jsonItems(history.events as unknown as IDataObject[]) } });
		expectSuccess(scored);
		const accounts = outputItems(scored, 'PQL Score', 0);
		expect(accounts).toHaveLength(400);
		expect(accounts[0].threshold).toBe(JSON.parse(rulesJson).threshold);
	});

	test('unusable input stops the node with the numbers and the field', async () => {
		const result = await run({}, [{ accountId: 'nobody.io', convertedAt: '2026-05-01T00:00:00Z' }]);
		expect(result.status).toBe('error');
		const error = nodeRun(result, 'PQL Calibrate').error!;
		expect(error.message).toBe(
			'No converted account among the 400 accounts with events (outcomes: 1 accounts, 1 converted, none of them seen in the events): check Account ID Field and Converted Field',
		);
		expect(error.description).toBe('Field: Converted Field');
	});

	test('nothing connected to Outcomes: says what to connect', async () => {
		const workflow = calibrateWorkflow(baseParameters);
		delete workflow.connections['Won Deals'];
		const result = await runWorkflow(workflow, { nodeTypes, pinData: { Events: jsonItems(history.events as unknown as IDataObject[]) } });
		const error = nodeRun(result, 'PQL Calibrate').error!;
		expect(error.message).toBe('There are no outcomes: connect the converted accounts (e.g. closed-won deals) to the Outcomes input');
	});

	test('a bad outcome row is named by its item index', async () => {
		const outcomes = [...(history.outcomes as unknown as IDataObject[])];
		outcomes[2] = { ...outcomes[2], convertedAt: 'last spring' };
		const result = await run({}, outcomes);
		const error = nodeRun(result, 'PQL Calibrate').error!;
		expect(error.message).toBe('Field "convertedAt" of outcome row 2 is not a date: "last spring"');
		expect((error as unknown as { context: { itemIndex: number } }).context.itemIndex).toBe(2);
	});

	test('Continue On Fail: the problem becomes an item on Report', async () => {
		const result = await run({ options: { holdoutShare: 0.5 } }, history.outcomes.slice(0, 2) as unknown as IDataObject[], { onError: 'continueRegularOutput' });
		expectSuccess(result);
		const [item] = outputItems(result, 'PQL Calibrate', 0);
		expect(item.error).toMatch(/^Too few accounts for a 50% holdout: 400 accounts \(2 converted, 398 not\)/);
		expect(item.field).toBe('Holdout Share');
		expect(outputItems(result, 'PQL Calibrate', 1)).toEqual([]);
	});

	test('the template runs on its pinned sample: won deals + PostHog events → report → Slack message with the table and the rules JSON', async () => {
		// Slack's answer is pinned in the template; unpinned here, the stand-in shows the message the template sends.
		const { 'Post the Report to Slack': slackAnswer, ...pinData } = template.pinData!;
		expect(slackAnswer).toHaveLength(1);
		const workflow = { ...template, pinData, nodes: template.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote') };
		const result = await runWorkflow(workflow, { nodeTypes });
		expectSuccess(result);
		const [report] = outputItems(result, 'PQL Calibrate', 0);
		expect(report).toMatchObject({ accounts: 50, outcomesWithoutEvents: { count: 0 } });
		expect(report.converted).toBe(template.pinData!['Closed-Won Deals (HubSpot)'].length);
		const [message] = outputItems(result, 'Post the Report to Slack', 0);
		expect(message.text).toContain('*PQL model calibration* (50 accounts');
		expect(message.text).toContain(report.markdown as string);
		expect(message.text).toContain(report.rulesJson as string);
	});

	test('node description: two inputs, two outputs, usable as a tool', () => {
		const { description } = new PqlCalibrate();
		expect(description).toMatchObject({
			name: 'pqlCalibrate',
			displayName: 'PQL Calibrate',
			usableAsTool: true,
			inputNames: ['Events', 'Outcomes'],
			outputNames: ['Report', 'Rules'],
			icon: { light: 'file:pqlCalibrate.svg', dark: 'file:pqlCalibrate.dark.svg' },
		});
		for (const property of description.properties) expect(property).toHaveProperty('default');
	});
});
