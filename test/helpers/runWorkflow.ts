/**
 * Runs n8n workflow JSON in-process through n8n-core's WorkflowExecute, as n8n 2.x does for a manual run.
 *
 * What n8n-core needs to run under jest:
 * - additionalData must carry ABSOLUTE base URLs (webhook*, formWaiting*, instanceBaseUrl): every node parameter
 *   read builds the $execution.resumeUrl-style expression keys with `new URL()`, and with empty or relative
 *   ones every node fails with "Invalid URL".
 * - n8nEnvironment.ts, imported first: n8n-core's DI services (InstanceSettings, Logger, ErrorReporter) build
 *   themselves from the environment on first use; it points N8N_USER_FOLDER at a temp dir (else
 *   ~/.n8n/config gets an encryption key written) and silences n8n's logger, which otherwise prints every
 *   node error to the console. No Container setup is needed beyond that.
 * - Pinned data is honoured in any mode: a node with pinData is not executed, its pinned items are its output.
 * - Without a destination node, the engine starts from the first trigger or poll node, else from a node of one
 *   of n8n's STARTING_NODE_TYPES (the Manual Trigger stand-in in nodeTypes.ts is one).
 */
import './n8nEnvironment';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	Workflow,
	type IConnections,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeTypes,
	type IPinData,
	type IRun,
	type ITaskData,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type IWorkflowSettings,
	type WorkflowExecuteMode,
} from 'n8n-workflow';
import { CredentialsHelper } from './credentialsHelper';

/** A workflow as n8n exports it; only nodes and connections are required. */
export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	staticData?: IDataObject;
	pinData?: IPinData;
}

export interface RunOptions {
	nodeTypes: INodeTypes;
	credentials?: CredentialsHelper;
	/** Output items per node name; merged over the workflow's own pinData. */
	pinData?: IPinData;
	mode?: WorkflowExecuteMode;
}

const BASE_URL = 'http://localhost:5678';

export async function runWorkflow(workflowJson: WorkflowJson, options: RunOptions): Promise<IRun> {
	const mode = options.mode ?? 'manual';
	const pinData = { ...workflowJson.pinData, ...options.pinData };
	const workflowData = toWorkflowBase(workflowJson, pinData);
	const workflow = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes: workflowData.nodes,
		connections: workflowData.connections,
		active: false,
		nodeTypes: options.nodeTypes,
		settings: workflowData.settings,
		staticData: workflowData.staticData,
		pinData,
	});
	const hooks = new ExecutionLifecycleHooks(mode, 'test-execution', workflowData);
	const additionalData = testAdditionalData(hooks, options.credentials ?? new CredentialsHelper());
	return await new WorkflowExecute(additionalData, mode).run({ workflow, pinData });
}

/** Plain JSON objects as pinnable items: { Events: jsonItems(events) }. */
export function jsonItems(items: IDataObject[]): INodeExecutionData[] {
	return items.map((json) => ({ json }));
}

/** The task data of a node's run (data, error, executionTime, ...). */
export function nodeRun(run: IRun, nodeName: string, runIndex = 0): ITaskData {
	const task = run.data.resultData.runData[nodeName]?.[runIndex];
	if (task === undefined) {
		const ran = Object.keys(run.data.resultData.runData).join(', ') || 'none';
		throw new Error(`Node "${nodeName}" has no run ${runIndex}; nodes that ran: ${ran}`);
	}
	return task;
}

/** The json of every item a node emitted on one of its main outputs. */
export function outputItems(run: IRun, nodeName: string, outputIndex = 0): IDataObject[] {
	return (nodeRun(run, nodeName).data?.main?.[outputIndex] ?? []).map((item) => item.json);
}

export function expectSuccess(run: IRun): void {
	if (run.status === 'success' && run.data.resultData.error === undefined) return;
	const error = run.data.resultData.error;
	const where = error && 'node' in error && error.node ? ` in node "${(error.node as INode).name}"` : '';
	throw new Error(`Workflow run ended with status "${run.status}"${where}: ${error?.message ?? 'no error recorded'}`);
}

function toWorkflowBase(json: WorkflowJson, pinData: IPinData): IWorkflowBase {
	const now = new Date();
	return {
		id: json.id ?? 'test-workflow',
		name: json.name ?? 'Test workflow',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: now,
		updatedAt: now,
		nodes: json.nodes,
		connections: json.connections,
		settings: { executionOrder: 'v1', ...json.settings },
		staticData: json.staticData,
		pinData,
	};
}

function notInHarness(feature: string): () => never {
	return () => {
		throw new Error(`${feature} is not available in the test harness`);
	};
}

function testAdditionalData(
	hooks: ExecutionLifecycleHooks,
	credentialsHelper: CredentialsHelper,
): IWorkflowExecuteAdditionalData {
	const additionalData: Partial<IWorkflowExecuteAdditionalData> = {
		hooks,
		credentialsHelper,
		executeWorkflow: notInHarness('Executing a sub-workflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: notInHarness('The task runner'),
		logAiEvent: () => {},
		currentNodeExecutionIndex: 0,
		variables: {},
		instanceBaseUrl: `${BASE_URL}/`,
		restApiUrl: `${BASE_URL}/rest`,
		formBaseUrl: `${BASE_URL}/form`,
		formTestBaseUrl: `${BASE_URL}/form-test`,
		formWaitingBaseUrl: `${BASE_URL}/form-waiting`,
		webhookBaseUrl: `${BASE_URL}/webhook`,
		webhookTestBaseUrl: `${BASE_URL}/webhook-test`,
		webhookWaitingBaseUrl: `${BASE_URL}/webhook-waiting`,
		mcpBaseUrl: `${BASE_URL}/mcp`,
		mcpTestBaseUrl: `${BASE_URL}/mcp-test`,
	};
	return additionalData as IWorkflowExecuteAdditionalData;
}
