/**
 * PQL PostHog Query inside n8n-core's WorkflowExecute, against the PostHog query API stand-in
 * (test/helpers/vendors/posthogQuery.ts): it pulls the worked example's events and PQL Score, with
 * its default preset rules, scores them; errors name the item and the parameter; Continue On Fail.
 */
import type { INode } from 'n8n-workflow';
import { PostHogQueryApi } from '../../credentials/PostHogQueryApi.credentials';
import { PqlPostHogQuery } from '../../nodes/PqlPostHogQuery/PqlPostHogQuery.node';
import { PqlScore } from '../../nodes/PqlScore/PqlScore.node';
import { CredentialsHelper } from '../helpers/credentialsHelper';
import { NodeTypes } from '../helpers/nodeTypes';
import { expectSuccess, jsonItems, nodeRun, outputItems, runWorkflow, type WorkflowJson } from '../helpers/runWorkflow';
import { startPostHogQueryStandIn, type PostHogStandIn } from '../helpers/vendors/posthogQuery';
import { ACME_REASONS, AS_OF, COMPANY_GROUP_TYPES, WORKED_EXAMPLE_EVENTS, WORKED_EXAMPLE_GROUPS } from '../fixtures/posthog/workedExample';

const nodeTypes = new NodeTypes([new PqlPostHogQuery(), new PqlScore()]);
const EVENTS = WORKED_EXAMPLE_EVENTS;

function workflow(queryParameters: INode['parameters'], extra: Partial<INode> = {}): WorkflowJson {
	return {
		nodes: [
			{ id: '1', name: 'Every Night', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: '2',
				name: 'PostHog Events',
				type: 'n8n-nodes-pql.pqlPostHogQuery',
				typeVersion: 1,
				position: [220, 0],
				parameters: queryParameters,
				credentials: { postHogQueryApi: { id: '1', name: 'PostHog' } },
				...extra,
			},
			{ id: '3', name: 'PQL Score', type: 'n8n-nodes-pql.pqlScore', typeVersion: 1, position: [440, 0], parameters: { options: { asOf: AS_OF } } },
		],
		connections: {
			'Every Night': { main: [[{ node: 'PostHog Events', type: 'main', index: 0 }]] },
			'PostHog Events': { main: [[{ node: 'PQL Score', type: 'main', index: 0 }]] },
		},
	};
}

let standIn: PostHogStandIn;
function credentials(apiKey = standIn.apiKey, projectId = standIn.projectId): CredentialsHelper {
	return new CredentialsHelper([new PostHogQueryApi()], {
		postHogQueryApi: { region: 'selfHosted', host: `${standIn.url}/`, projectId, apiKey },
	});
}

beforeAll(async () => {
	standIn = await startPostHogQueryStandIn({
		events: EVENTS,
		groupTypes: COMPANY_GROUP_TYPES,
		groups: WORKED_EXAMPLE_GROUPS,
	});
});
afterAll(async () => await standIn.close());
beforeEach(() => standIn.queries.splice(0));

describe('PQL PostHog Query node in WorkflowExecute', () => {
	test('pulls the events over several pages and PQL Score scores them with the preset rules', async () => {
		const run = await runWorkflow(workflow({ until: AS_OF, options: { groupType: 'company', pageSize: 5 } }), { nodeTypes, credentials: credentials() });
		expectSuccess(run);
		const pulled = outputItems(run, 'PostHog Events');
		// 17 events within 30 days of Until (Globex's 40-day-old login is outside), then the 2 groups.
		expect(pulled).toHaveLength(19);
		expect(pulled.slice(-2).map((item) => item.event)).toEqual(['$groupidentify', '$groupidentify']);
		expect(standIn.queries.filter((q) => q.hogql.includes('FROM events'))).toHaveLength(4);
		const scored = outputItems(run, 'PQL Score');
		expect(scored.map((item) => [item.id, item.name, item.score, item.isPql])).toEqual([
			['acme', 'Acme Inc', 80, true],
			['globex', 'Globex', 0, false],
		]);
		expect(scored[0].reasons).toEqual(ACME_REASONS);
		expect((scored[0].users as Array<{ email?: string }>).map((user) => user.email).sort()).toEqual(['ada@acme.io', 'bob@acme.io']);
		expect(outputItems(run, 'PQL Score', 1)).toEqual([]);
	});

	test('every pulled item is paired with the input item that asked for it; one pull per input item', async () => {
		const twoPulls = workflow({ until: AS_OF, eventNames: 'teammate_invited' });
		const run = await runWorkflow(twoPulls, { nodeTypes, credentials: credentials(), pinData: { 'Every Night': jsonItems([{ run: 1 }, { run: 2 }]) } });
		expectSuccess(run);
		const items = nodeRun(run, 'PostHog Events').data!.main[0]!;
		expect(items.map((item) => item.pairedItem)).toEqual([...Array(3).fill({ item: 0 }), ...Array(3).fill({ item: 1 })]);
	});

	test('a bad date stops the node with an error naming the parameter and the item', async () => {
		const run = await runWorkflow(workflow({ since: 'last tuesday' }), { nodeTypes, credentials: credentials() });
		expect(run.status).toBe('error');
		const error = run.data.resultData.error as unknown as { message: string; description: string; context: { itemIndex: number } };
		expect(error.message).toBe('Since is not a date: "last tuesday"');
		expect(error.description).toBe('Fix the parameter "Since".');
		expect(error.context.itemIndex).toBe(0);
		expect(standIn.queries).toHaveLength(0);
	});

	test("PostHog's 401 becomes a NodeApiError naming the credential", async () => {
		const run = await runWorkflow(workflow({ until: AS_OF }), { nodeTypes, credentials: credentials('phx_revoked') });
		expect(run.status).toBe('error');
		const error = run.data.resultData.error as unknown as { message: string; description: string; httpCode: string; name: string };
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe('PostHog rejected the personal API key (401): Personal API key found in request Authorization header is invalid.');
		expect(error.description).toBe('Check the API key in the PostHog Query API credential.');
		expect(error.httpCode).toBe('401');
	});

	test('with Continue On Fail, a failed pull becomes an error item for that input item; the other items still pull', async () => {
		const wf = workflow({ until: AS_OF, since: '={{ $json.since }}', eventNames: 'teammate_invited' }, { onError: 'continueRegularOutput' });
		const run = await runWorkflow(wf, {
			nodeTypes,
			credentials: credentials(),
			pinData: { 'Every Night': jsonItems([{ since: 'not a date' }, { since: '2026-11-01T00:00:00Z' }]) },
		});
		expectSuccess(run);
		const items = nodeRun(run, 'PostHog Events').data!.main[0]!;
		expect(items[0]).toEqual({ json: { error: 'Since is not a date: "not a date"' }, pairedItem: { item: 0 } });
		expect(items.slice(1).map((item) => [item.json.event, item.pairedItem])).toEqual(Array(3).fill(['teammate_invited', { item: 1 }]));
	});

	test('a bad Project ID in the credential is named before anything is sent', async () => {
		const before = standIn.server.requests.length;
		const run = await runWorkflow(workflow({ until: AS_OF }), { nodeTypes, credentials: credentials(standIn.apiKey, 'my project') });
		expect(run.status).toBe('error');
		expect(run.data.resultData.error?.message).toBe('Project ID must be the number shown in PostHog\'s project settings, not "my project"');
		expect(standIn.server.requests).toHaveLength(before);
	});
});
