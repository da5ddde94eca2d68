import { readFileSync } from 'fs';
import { join } from 'path';
import type { INode } from 'n8n-workflow';
import { PqlScore } from '../../nodes/PqlScore/PqlScore.node';
import { WORKED_EXAMPLE_RULES } from '../../nodes/engine/rules/presets';
import { ruleFromUi, ruleToUi } from '../../nodes/shared/scoringModel';
import { NodeTypes } from '../helpers/nodeTypes';
import { expectSuccess, jsonItems, nodeRun, outputItems, runWorkflow, type WorkflowJson } from '../helpers/runWorkflow';

const nodeTypes = new NodeTypes([new PqlScore()]);
const demo = JSON.parse(readFileSync(join(__dirname, '../../workflows/pql-score-demo.json'), 'utf8')) as WorkflowJson;
const AS_OF = '2026-11-20T12:00:00.000Z';

/** Manual Trigger → PQL Score with the given parameters; items are pinned on the trigger. */
function scoreWorkflow(parameters: INode['parameters'], extra: Partial<INode> = {}): WorkflowJson {
	return {
		nodes: [
			{ id: '1', name: 'Events', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: '2', name: 'PQL Score', type: 'n8n-nodes-pql.pqlScore', typeVersion: 1, position: [200, 0], parameters, ...extra },
		],
		connections: { Events: { main: [[{ node: 'PQL Score', type: 'main', index: 0 }]] } },
	};
}

const at = (daysAgo: number) => new Date(Date.parse(AS_OF) - daysAgo * 86_400_000).toISOString();

describe('PQL Score node in WorkflowExecute', () => {
	test('the demo workflow scores the sample events: PQLs with reasons, invalid events on their own output', async () => {
		const run = await runWorkflow(demo, { nodeTypes });
		expectSuccess(run);
		const scored = outputItems(run, 'PQL Score', 0);
		expect(scored.map((item) => [item.id, item.score, item.isPql, item.tier])).toEqual([
			['globex', 130, true, 'hot'],
			['acme', 80, true, 'hot'],
			['initech.com', 35, false, 'cold'],
			['umbrella', -15, false, 'cold'],
		]);
		expect(scored[1].reasons).toContain('Invited 3 teammates in the last 14 days (+15)');
		expect(outputItems(run, 'PQL Score', 1)).toEqual([
			expect.objectContaining({ itemIndex: 32, reason: '"timestamp" is not a date: "yesterday"' }),
			expect.objectContaining({ itemIndex: 33, reason: expect.stringContaining('unrecognised event shape') }),
		]);
	});

	test('every scored item is paired with the input items that fed it', async () => {
		const run = await runWorkflow(demo, { nodeTypes });
		const acme = nodeRun(run, 'PQL Score').data!.main[0]![1];
		const items = demo.pinData!['Sample Events'];
		const paired = (acme.pairedItem as Array<{ item: number }>).map(({ item }) => item);
		expect(paired.length).toBeGreaterThan(10);
		for (const index of paired) {
			expect(JSON.stringify(items[index].json)).toMatch(/"company":"acme"|"acme"/);
		}
	});

	test('a list of events in a field (a Webhook node body with a Segment batch), per user, only PQLs', async () => {
		const batch = [
			...Array.from({ length: 6 }, (_, n) => ({ type: 'track', messageId: `m${n}`, userId: 'u1', event: 'Signed In', timestamp: at(n), context: { groupId: 'g1' } })),
			{ type: 'track', messageId: 'x1', userId: 'u2', event: 'Signed In', timestamp: at(1), context: { groupId: 'g1' } },
		];
		const parameters = {
			eventsField: 'body',
			level: 'user',
			rulesSource: 'json',
			rulesJson: JSON.stringify({ threshold: 10, rules: [{ name: 'Logins', category: 'usage', type: 'eventCount', event: 'Signed In', windowDays: 7, atLeast: 5, points: 10 }] }),
			options: { asOf: AS_OF, onlyPqls: true },
		};
		const run = await runWorkflow(scoreWorkflow(parameters), { nodeTypes, pinData: { Events: jsonItems([{ body: { batch } }]) } });
		expectSuccess(run);
		expect(outputItems(run, 'PQL Score').map((item) => [item.id, item.accountId, item.score])).toEqual([['u1', 'g1', 10]]);
	});

	test('pre-aggregated account rows read one column per rule', async () => {
		const parameters = { inputMode: 'accountRows', idField: 'account_id', options: { asOf: AS_OF } };
		const rows = [
			{ account_id: 'a1', frequent_logins: 6, completed_onboarding: 1, core_feature_adoption: 3, invited_teammates: 2, employees: 120 },
			{ account_id: 'a2', frequent_logins: 2, employees: 120 },
			{ name: 'no id' },
		];
		const run = await runWorkflow(scoreWorkflow(parameters), { nodeTypes, pinData: { Events: jsonItems(rows) } });
		expectSuccess(run);
		expect(outputItems(run, 'PQL Score').map((item) => [item.id, item.score])).toEqual([
			['a1', 70],
			['a2', 10],
		]);
		expect(outputItems(run, 'PQL Score', 1)).toEqual([
			{ itemIndex: 2, reason: 'no account id: expected a value in "account_id"', input: { name: 'no id' } },
		]);
	});

	test('invalid rules stop the node with an error naming the rule and the field', async () => {
		const parameters = { rulesSource: 'json', rulesJson: JSON.stringify({ rules: [{ name: 'Logins', category: 'usage', type: 'eventCount', points: 'ten' }] }) };
		const run = await runWorkflow(scoreWorkflow(parameters), { nodeTypes, pinData: { Events: jsonItems([{ userId: 'u', event: 'x', timestamp: AS_OF }]) } });
		expect(run.status).toBe('error');
		expect(run.data.resultData.error?.message).toBe('Rule 1 "Logins", field "points": must be a number, got "ten"');
	});

	test('with "continue on fail" the error becomes an item instead', async () => {
		const parameters = { rulesSource: 'json', rulesJson: '{"rules": [' };
		const workflow = scoreWorkflow(parameters, { onError: 'continueRegularOutput' });
		const run = await runWorkflow(workflow, { nodeTypes, pinData: { Events: jsonItems([{ userId: 'u', event: 'x', timestamp: AS_OF }]) } });
		expectSuccess(run);
		expect(outputItems(run, 'PQL Score')).toEqual([{ error: expect.stringMatching(/^Scoring model, field "Rules \(JSON\)": is not valid JSON/) }]);
	});

	test('an invalid "Score As Of" is reported by name', async () => {
		const run = await runWorkflow(scoreWorkflow({ options: { asOf: 'soon' } }), { nodeTypes, pinData: { Events: jsonItems([{ userId: 'u', event: 'x', timestamp: AS_OF }]) } });
		expect(run.data.resultData.error?.message).toBe('Option "Score As Of" is not a date: "soon"');
	});

	test('rules built in the UI score like the same rules in JSON', async () => {
		const uiRules = WORKED_EXAMPLE_RULES.map(ruleToUi);
		expect(uiRules.map(ruleFromUi)).toEqual(WORKED_EXAMPLE_RULES);
		const pinData = { Events: demo.pinData!['Sample Events'] };
		const fromUi = await runWorkflow(scoreWorkflow({ rulesSource: 'ui', rules: { rule: uiRules } as unknown as INode['parameters'], options: { asOf: AS_OF } }), { nodeTypes, pinData });
		const fromPreset = await runWorkflow(scoreWorkflow({ rulesSource: 'preset', options: { asOf: AS_OF } }), { nodeTypes, pinData });
		const scores = (run: typeof fromUi) => outputItems(run, 'PQL Score').map((item) => [item.id, item.score, item.modelVersion]);
		expect(scores(fromUi)).toEqual(scores(fromPreset));
		expect(scores(fromUi).map(([id, score]) => [id, score])).toEqual([
			['globex', 130],
			['acme', 80],
			['initech.com', 35],
			['umbrella', 15],
		]);
	});

	test('rows mode: a non-numeric column goes to "Invalid Rows" naming the column and the rule', async () => {
		const rules = JSON.stringify({ threshold: 10, rules: [{ name: 'Logins', category: 'usage', type: 'eventCount', event: 'login', atLeast: 2, points: 10 }] });
		const parameters = { inputMode: 'accountRows', rulesSource: 'json', rulesJson: rules, options: { asOf: AS_OF } };
		const rows = [{ accountId: 'a', logins: 3 }, { accountId: 'b', logins: 'many' }];
		const run = await runWorkflow(scoreWorkflow(parameters), { nodeTypes, pinData: { Events: jsonItems(rows) } });
		expectSuccess(run);
		expect(outputItems(run, 'PQL Score', 0).map((item) => [item.id, item.score])).toEqual([['a', 10]]);
		expect(outputItems(run, 'PQL Score', 1)).toEqual([
			expect.objectContaining({ itemIndex: 1, reason: 'column "logins" (rule "Logins") must be a number, got "many"' }),
		]);
		expect(new PqlScore().description.outputs).toEqual(expect.stringContaining('Invalid Rows'));
	});

	test('an event dated more than 5 minutes ahead is an invalid event with the reason; one a minute ahead counts', async () => {
		const now = Date.now();
		const events = [
			{ userId: 'u1', accountId: 'acme', event: 'Signed In', timestamp: new Date(now + 30 * 86_400_000).toISOString(), messageId: 'f1' },
			{ userId: 'u1', accountId: 'acme', event: 'Signed In', timestamp: new Date(now + 60_000).toISOString(), messageId: 'f2' },
		];
		const run = await runWorkflow(scoreWorkflow({ rulesSource: 'preset' }), { nodeTypes, pinData: { Events: jsonItems(events) } });
		expectSuccess(run);
		expect(outputItems(run, 'PQL Score', 0).map((item) => [item.id, (item.eventCounts as Record<string, number>)['Signed In']])).toEqual([['acme', 1]]);
		expect(outputItems(run, 'PQL Score', 1)).toEqual([expect.objectContaining({ itemIndex: 0, reason: expect.stringMatching(/more than 5 minutes in the future/) })]);
	});

	test('"Only New PQLs Since the Last Run" remembers the previous run: a PQL is reported once', async () => {
		const staticData = {};
		const workflow = { ...scoreWorkflow({ rulesSource: 'preset', options: { asOf: AS_OF, onlyNewPqls: true } }), staticData };
		const pinData = { Events: demo.pinData!['Sample Events'] };
		const first = await runWorkflow(workflow, { nodeTypes, pinData, mode: 'trigger' });
		expect(outputItems(first, 'PQL Score').map((item) => item.id)).toEqual(['globex', 'acme']);
		const second = await runWorkflow(workflow, { nodeTypes, pinData, mode: 'trigger' });
		expect(outputItems(second, 'PQL Score')).toEqual([]);
	});
});
