import { NodeHelpers, Workflow, type IDataObject, type INode, type INodeExecutionData } from 'n8n-workflow';
import { AntiPqlFilter } from '../../nodes/AntiPqlFilter/AntiPqlFilter.node';
import { NodeTypes } from '../helpers/nodeTypes';
import { expectSuccess, jsonItems, nodeRun, outputItems, runWorkflow, type WorkflowJson } from '../helpers/runWorkflow';

const nodeTypes = new NodeTypes([new AntiPqlFilter()]);
const AS_OF = '2026-11-20T12:00:00.000Z';
const daysAgo = (days: number) => new Date(Date.parse(AS_OF) - days * 86_400_000).toISOString();

function filterWorkflow(parameters: INode['parameters'], extra: Partial<INode> = {}): WorkflowJson {
	return {
		nodes: [
			{ id: '1', name: 'Leads', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: '2', name: 'Anti-PQL Filter', type: 'n8n-nodes-pql.antiPqlFilter', typeVersion: 1, position: [200, 0], parameters, ...extra },
		],
		connections: { Leads: { main: [[{ node: 'Anti-PQL Filter', type: 'main', index: 0 }]] } },
	};
}

const leads = [
	{ email: 'ada@acme.io', name: 'Acme', lastSeen: daysAgo(2) },
	{ email: 'bob@gmail.com', name: 'Bob', lastSeen: daysAgo(1) },
	{ email: 'cy@initech.com', name: 'Initech', lastSeen: daysAgo(23) },
	{ email: 'x@rival.io', name: 'Rival', lastSeen: daysAgo(0), plan: 'student' },
];

async function run(parameters: INode['parameters'], items: IDataObject[] = leads, extra: Partial<INode> = {}) {
	return await runWorkflow(filterWorkflow({ options: { asOf: AS_OF }, ...parameters }, extra), { nodeTypes, pinData: { Leads: jsonItems(items) } });
}

function pairedIndexes(items: INodeExecutionData[] | null | undefined): number[] {
	return (items ?? []).map((item) => (item.pairedItem as { item: number }).item);
}

describe('Anti-PQL Filter node in WorkflowExecute', () => {
	test('Kept and Discarded outputs; every item keeps its fields and gains antiPql; pairedItem points at the input', async () => {
		const result = await run({ competitor: true, competitorDomains: 'rival.io' });
		expectSuccess(result);
		expect(outputItems(result, 'Anti-PQL Filter', 0)).toEqual([{ ...leads[0], antiPql: { discarded: false, reasons: [] } }]);
		expect(outputItems(result, 'Anti-PQL Filter', 1)).toEqual([
			{ ...leads[1], antiPql: { discarded: true, reasons: ['Personal e-mail domain gmail.com'] } },
			{ ...leads[2], antiPql: { discarded: true, reasons: ['No activity for 23 days'] } },
			{ ...leads[3], antiPql: { discarded: true, reasons: ['Competitor domain rival.io'] } },
		]);
		const main = nodeRun(result, 'Anti-PQL Filter').data!.main;
		expect(pairedIndexes(main[0])).toEqual([0]);
		expect(pairedIndexes(main[1])).toEqual([1, 2, 3]);
	});

	test('Mark Only: one output, every item annotated, in input order', async () => {
		const result = await run({ mode: 'markOnly' });
		expectSuccess(result);
		const main = nodeRun(result, 'Anti-PQL Filter').data!.main;
		expect(main).toHaveLength(1);
		expect(outputItems(result, 'Anti-PQL Filter').map((item) => item.antiPql)).toEqual([
			{ discarded: false, reasons: [] },
			{ discarded: true, reasons: ['Personal e-mail domain gmail.com'] },
			{ discarded: true, reasons: ['No activity for 23 days'] },
			{ discarded: false, reasons: [] },
		]);
	});

	test('the output count follows the mode, as n8n resolves it for the canvas', () => {
		const outputs = (mode: string) => {
			const node = filterWorkflow({ mode }).nodes[1];
			const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
			return NodeHelpers.getNodeOutputs(workflow, node, new AntiPqlFilter().description);
		};
		expect(outputs('filter')).toEqual([
			{ type: 'main', displayName: 'Kept' },
			{ type: 'main', displayName: 'Discarded' },
		]);
		expect(outputs('markOnly')).toEqual([{ type: 'main', displayName: 'Leads' }]);
	});

	test('custom conditions use n8n\'s filter conditions, with expressions per item, and their own reason', async () => {
		const conditions = {
			options: { caseSensitive: false, leftValue: '', typeValidation: 'loose', version: 2 },
			combinator: 'and',
			conditions: [{ id: 'c1', leftValue: '={{ $json.plan }}', rightValue: 'Student', operator: { type: 'string', operation: 'equals' } }],
		};
		const result = await run({ ...allDefaultRulesOff, custom: true, conditions, customReason: 'Student plan' });
		expectSuccess(result);
		expect(outputItems(result, 'Anti-PQL Filter', 1)).toEqual([{ ...leads[3], antiPql: { discarded: true, reasons: ['Student plan'] } }]);
		expect(outputItems(result, 'Anti-PQL Filter', 0)).toHaveLength(3);
	});

	test('custom conditions turned on but left empty discard nothing', async () => {
		const result = await run({ ...allDefaultRulesOff, custom: true, conditions: { options: {}, combinator: 'and', conditions: [] } });
		expectSuccess(result);
		expect(outputItems(result, 'Anti-PQL Filter', 0)).toHaveLength(4);
		expect(outputItems(result, 'Anti-PQL Filter', 1)).toEqual([]);
	});

	test('a field that cannot be read stops the node with an error naming the field and the item', async () => {
		const result = await run({}, [leads[0], { email: 'eve@acme.io', lastSeen: 'yesterday' }]);
		expect(result.status).toBe('error');
		const error = result.data.resultData.error as { message: string; context?: { itemIndex?: number } };
		expect(error.message).toBe('Field "lastSeen" is not a date: "yesterday" (item 1)');
		expect(error.context?.itemIndex).toBe(1);
	});

	test('with Continue On Fail the unreadable item passes on the Kept output with the error, the rest is filtered', async () => {
		const items = [{ email: 'eve@acme.io', lastSeen: 'yesterday' }, leads[1], leads[0]];
		const result = await run({}, items, { onError: 'continueRegularOutput' });
		expectSuccess(result);
		expect(outputItems(result, 'Anti-PQL Filter', 0)).toEqual([
			{ ...items[0], error: 'Field "lastSeen" is not a date: "yesterday" (item 0)' },
			{ ...leads[0], antiPql: { discarded: false, reasons: [] } },
		]);
		expect(outputItems(result, 'Anti-PQL Filter', 1).map((item) => item.email)).toEqual(['bob@gmail.com']);
	});

	test('a parameter set wrong is reported by name; with Continue On Fail every item passes with the error', async () => {
		const failed = await run({ competitor: true, competitorDomains: 'rival' });
		expect(failed.data.resultData.error?.message).toBe('"Competitor Domains": "rival" is not a domain');
		const continued = await run({ options: { asOf: 'soon' } }, leads.slice(0, 2), { onError: 'continueRegularOutput' });
		expectSuccess(continued);
		expect(outputItems(continued, 'Anti-PQL Filter', 0)).toEqual(leads.slice(0, 2).map((lead) => ({ ...lead, error: 'Option "As Of" is not a date: "soon"' })));
	});
});

const allDefaultRulesOff = { inactive: false, lowUsage: false, personalDomain: false, disposableDomain: false, testAccounts: false, flags: false };
