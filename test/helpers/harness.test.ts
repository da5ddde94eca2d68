import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import {
	NodeConnectionTypes,
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestHelper,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { CredentialsHelper } from './credentialsHelper';
import { FIXTURE_TYPE, MANUAL_TRIGGER_TYPE, NodeTypes } from './nodeTypes';
import { expectSuccess, jsonItems, nodeRun, outputItems, runWorkflow, type WorkflowJson } from './runWorkflow';

/** Doubles a numeric field of each item; a non-number is an item error. */
class Doubler implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Doubler',
		name: 'doubler',
		group: ['transform'],
		version: 1,
		description: 'Test-only: doubles a number',
		defaults: { name: 'Doubler' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Field', name: 'field', type: 'string', default: 'value' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const output: INodeExecutionData[] = [];
		const items = this.getInputData();
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const field = this.getNodeParameter('field', itemIndex) as string;
				const value = items[itemIndex].json[field];
				if (typeof value !== 'number') {
					const message = `"${field}" is not a number: ${JSON.stringify(value)}`;
					throw new NodeOperationError(this.getNode(), message, { itemIndex });
				}
				output.push({ json: { ...items[itemIndex].json, doubled: value * 2 }, pairedItem: { item: itemIndex } });
			} catch (error) {
				if (!this.continueOnFail()) throw error;
				output.push({ json: { error: (error as Error).message }, pairedItem: { item: itemIndex } });
			}
		}
		return [output];
	}
}

const echoApi: ICredentialType = {
	name: 'echoApi',
	displayName: 'Echo API',
	properties: [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '' },
	],
	authenticate: {
		type: 'generic',
		properties: {
			headers: { 'X-Api-Key': '={{$credentials.apiKey}}' },
			qs: { workspace: 'test-workspace' },
		},
	},
};

const sessionApi: ICredentialType = {
	name: 'sessionApi',
	displayName: 'Session API',
	properties: [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{ displayName: 'Password', name: 'password', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Session Token', name: 'sessionToken', type: 'hidden', typeOptions: { expirable: true }, default: '' },
	],
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const login = (await this.helpers.httpRequest({
			method: 'POST',
			url: `${credentials.baseUrl as string}/login`,
			body: { password: credentials.password },
			json: true,
		})) as { token: string };
		return { sessionToken: login.token };
	},
	authenticate: {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.sessionToken}}' } },
	},
};

/** Calls the echo server with the node's credentials of one type and outputs what the server saw. */
function echoCaller(credentialType: string): INodeType {
	return {
		description: {
			displayName: 'Echo Caller',
			name: `${credentialType}Caller`,
			group: ['transform'],
			version: 1,
			description: 'Test-only: authenticated HTTP call',
			defaults: { name: 'Echo Caller' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: credentialType, required: true }],
			properties: [],
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const { baseUrl } = await this.getCredentials<{ baseUrl: string }>(credentialType);
			const response = (await this.helpers.httpRequestWithAuthentication.call(this, credentialType, {
				method: 'GET',
				url: `${baseUrl}/echo`,
				json: true,
			})) as IDataObject;
			return [[{ json: response, pairedItem: { item: 0 } }]];
		},
	};
}

const nodeTypes = new NodeTypes([new Doubler(), echoCaller('echoApi'), echoCaller('sessionApi')]);

function node(name: string, type: string, parameters: INode['parameters'] = {}, extra: Partial<INode> = {}): INode {
	return { id: name, name, type, typeVersion: 1, position: [0, 0], parameters, ...extra };
}

function chain(...nodes: INode[]): WorkflowJson {
	const connections: WorkflowJson['connections'] = {};
	for (let index = 1; index < nodes.length; index++) {
		connections[nodes[index - 1].name] = { main: [[{ node: nodes[index].name, type: 'main', index: 0 }]] };
	}
	return { nodes, connections };
}

const trigger = node('Start', MANUAL_TRIGGER_TYPE);
const fixture = (items: unknown[]) => node('Numbers', FIXTURE_TYPE, { itemsJson: JSON.stringify(items) });

describe('runWorkflow', () => {
	test('runs trigger → fixture → package node and exposes outputs, pairing and timing', async () => {
		const workflow = chain(trigger, fixture([{ value: 2 }, { value: 5 }]), node('Double', 'n8n-nodes-pql.doubler'));
		const run = await runWorkflow(workflow, { nodeTypes });

		expectSuccess(run);
		expect(outputItems(run, 'Start')).toEqual([{}]);
		expect(outputItems(run, 'Numbers')).toEqual([{ value: 2 }, { value: 5 }]);
		expect(outputItems(run, 'Double')).toEqual([
			{ value: 2, doubled: 4 },
			{ value: 5, doubled: 10 },
		]);
		const task = nodeRun(run, 'Double');
		expect(task.data?.main[0]?.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(task.executionStatus).toBe('success');
		expect(typeof task.executionTime).toBe('number');
		expect(task.source).toEqual([{ previousNode: 'Numbers', previousNodeOutput: 0, previousNodeRun: 0 }]);
	});

	test('the dev-mode CUSTOM.<name> type resolves to the same node', async () => {
		const workflow = chain(trigger, fixture([{ value: 21 }]), node('Double', 'CUSTOM.doubler'));
		const run = await runWorkflow(workflow, { nodeTypes });

		expectSuccess(run);
		expect(outputItems(run, 'Double')).toEqual([{ value: 21, doubled: 42 }]);
	});

	test('pinned data replaces a node’s output without running it', async () => {
		const broken = node('Numbers', FIXTURE_TYPE, { itemsJson: 'not json' });
		const workflow = chain(trigger, broken, node('Double', 'n8n-nodes-pql.doubler'));
		const run = await runWorkflow(workflow, { nodeTypes, pinData: { Numbers: jsonItems([{ value: 3 }]) } });

		expectSuccess(run);
		expect(outputItems(run, 'Double')).toEqual([{ value: 3, doubled: 6 }]);
	});

	test('parameters may be expressions over the current item', async () => {
		const double = node('Double', 'n8n-nodes-pql.doubler', { field: '={{ $json.use }}' });
		const workflow = chain(trigger, fixture([{ use: 'a', a: 1 }, { use: 'b', b: 10 }]), double);
		const run = await runWorkflow(workflow, { nodeTypes });

		expectSuccess(run);
		expect(outputItems(run, 'Double').map((item) => item.doubled)).toEqual([2, 20]);
	});

	test('a node error fails the run with the node’s message when continueOnFail is off', async () => {
		const workflow = chain(trigger, fixture([{ value: 1 }, { value: 'x' }]), node('Double', 'n8n-nodes-pql.doubler'));
		const run = await runWorkflow(workflow, { nodeTypes });

		expect(run.status).toBe('error');
		expect(run.data.resultData.error?.message).toBe('"value" is not a number: "x"');
		expect(run.data.resultData.lastNodeExecuted).toBe('Double');
		expect(nodeRun(run, 'Double').error?.message).toBe('"value" is not a number: "x"');
		expect(() => expectSuccess(run)).toThrow(
			'Workflow run ended with status "error" in node "Double": "value" is not a number: "x"',
		);
	});

	test('with continueOnFail the failing item becomes an error item and the run succeeds', async () => {
		const double = node('Double', 'n8n-nodes-pql.doubler', {}, { onError: 'continueRegularOutput' });
		const workflow = chain(trigger, fixture([{ value: 1 }, { value: 'x' }]), double);
		const run = await runWorkflow(workflow, { nodeTypes });

		expectSuccess(run);
		expect(outputItems(run, 'Double')).toEqual([{ value: 1, doubled: 2 }, { error: '"value" is not a number: "x"' }]);
		expect(nodeRun(run, 'Double').data?.main[0]?.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	test('with the error output on, error items go to the extra output', async () => {
		const double = node('Double', 'n8n-nodes-pql.doubler', {}, { onError: 'continueErrorOutput' });
		const workflow = chain(trigger, fixture([{ value: 1 }, { value: 'x' }]), double);
		const run = await runWorkflow(workflow, { nodeTypes });

		expectSuccess(run);
		expect(outputItems(run, 'Double', 0)).toEqual([{ value: 1, doubled: 2 }]);
		expect(outputItems(run, 'Double', 1)).toEqual([{ value: 'x', error: '"value" is not a number: "x"' }]);
	});
});

describe('CredentialsHelper', () => {
	let server: Server;
	let baseUrl: string;
	let seen: IDataObject[] = [];

	function answer(request: IncomingMessage, response: ServerResponse): void {
		const { method, url, headers } = request;
		const received = { method, url, apiKey: headers['x-api-key'], authorization: headers.authorization };
		seen.push(received);
		response.setHeader('content-type', 'application/json');
		response.end(JSON.stringify(request.url === '/login' ? { token: `token-${seen.length}` } : received));
	}

	const callerNode = (credentialType: string) => {
		const credentials = { [credentialType]: { id: '1', name: 'Test' } };
		return node('Call', `n8n-nodes-pql.${credentialType}Caller`, {}, { credentials });
	};

	beforeAll(async () => {
		server = createServer(answer);
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});

	beforeEach(() => {
		seen = [];
	});

	afterAll(async () => {
		await new Promise((resolve) => server.close(resolve));
	});

	test('httpRequestWithAuthentication applies the credential type’s generic auth', async () => {
		const credentials = new CredentialsHelper([echoApi], { echoApi: { baseUrl, apiKey: 'secret-123' } });
		const run = await runWorkflow(chain(trigger, callerNode('echoApi')), { nodeTypes, credentials });

		expectSuccess(run);
		const expected = { method: 'GET', url: '/echo?workspace=test-workspace', apiKey: 'secret-123' };
		expect(outputItems(run, 'Call')).toEqual([expected]);
		expect(seen).toEqual([expected]);
	});

	test('preAuthentication fills an empty expirable token before the request', async () => {
		const sessionData = { baseUrl, password: 'pw', sessionToken: '' };
		const credentials = new CredentialsHelper([sessionApi], { sessionApi: sessionData });
		const run = await runWorkflow(chain(trigger, callerNode('sessionApi')), { nodeTypes, credentials });

		expectSuccess(run);
		expect(seen).toEqual([
			{ method: 'POST', url: '/login' },
			{ method: 'GET', url: '/echo', authorization: 'Bearer token-1' },
		]);
	});

	test('a missing credential fails the node with a clear message', async () => {
		const credentials = new CredentialsHelper([echoApi]);
		const run = await runWorkflow(chain(trigger, callerNode('echoApi')), { nodeTypes, credentials });

		expect(run.status).toBe('error');
		expect(run.data.resultData.error?.message).toBe('No test credentials of type "echoApi"');
		expect(seen).toEqual([]);
	});
});
