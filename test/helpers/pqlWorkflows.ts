/**
 * The template workflow workflows/pql-threshold-trigger-to-http.json (PQL Threshold Trigger →
 * HTTP Request), deployed into a real n8n with the trigger's parameters, credentials and the HTTP
 * Request node's URL of a test's choosing; and what the tests read back (saved state, executions).
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { AccountDoc, UserDoc } from '../../nodes/engine/state/docs';
import { readSavedState as readStateTexts, SNAPSHOT_FORMAT } from '../../nodes/engine/state/memoryStore';
import type { OutboxEntry } from '../../nodes/engine/state/store';
import { REPO_ROOT, type N8nExecution, type N8nWorkflowApi } from './n8nServer';

/** A single n8n (startN8n) or the main process of a queue-mode cluster (startN8nQueue). */
export type N8nMain = N8nWorkflowApi & { baseUrl: string };

export const TEMPLATE_FILE = path.join(REPO_ROOT, 'workflows', 'pql-threshold-trigger-to-http.json');
export const TRIGGER_NODE_NAME = 'PQL Threshold Trigger';
const HTTP_NODE_NAME = 'Send PQL to CRM';
/** The trigger's webhook description path (not isFullPath). */
export const TRIGGER_WEBHOOK_PATH = 'pql-events';

export interface CredentialRef {
	id: string;
	name: string;
}

interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	webhookId?: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, CredentialRef>;
	[key: string]: unknown;
}

interface WorkflowJson {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
}

export interface TriggerWorkflowOptions {
	name: string;
	/** Merged over the template's trigger parameters. */
	parameters: Record<string, unknown>;
	/** Credential type → credential; replaces the template's credentials. */
	credentials?: Record<string, CredentialRef>;
	/** Where the HTTP Request node POSTs each fired item. */
	sinkUrl: string;
}

export interface DeployedTrigger {
	workflowId: string;
	webhookId: string;
	/** The trigger's production URL on the main process. */
	url: string;
	/** The part after `/webhook/`: the same on every process that serves production webhooks. */
	webhookPath: string;
}

/** Creates a credential through n8n's public API (POST /api/v1/credentials). */
export async function createCredential(n8n: N8nMain, type: string, name: string, data: Record<string, unknown>): Promise<CredentialRef> {
	const created = (await n8n.api('POST', '/api/v1/credentials', { name, type, data })) as { id: string; name: string };
	return { id: created.id, name: created.name };
}

/** The template with this test's trigger settings, a fresh webhook id and the sink as HTTP target. */
export function triggerToHttpWorkflow(options: TriggerWorkflowOptions): { workflow: WorkflowJson; webhookId: string } {
	const template = JSON.parse(fs.readFileSync(TEMPLATE_FILE, 'utf8')) as WorkflowJson;
	const webhookId = randomUUID();
	const nodes = template.nodes.map((node): WorkflowNode => {
		if (node.name === TRIGGER_NODE_NAME) {
			const { credentials: _templateCredentials, ...rest } = node;
			return {
				...rest,
				webhookId,
				parameters: { ...node.parameters, ...options.parameters },
				...(options.credentials ? { credentials: options.credentials } : {}),
			};
		}
		if (node.name === HTTP_NODE_NAME) return { ...node, parameters: { ...node.parameters, url: options.sinkUrl } };
		return node;
	});
	return { workflow: { ...template, name: options.name, nodes }, webhookId };
}

/** Imports and activates the workflow; returns its id and the trigger's production URL. */
export async function deployTriggerWorkflow(n8n: N8nMain, options: TriggerWorkflowOptions): Promise<DeployedTrigger> {
	const { workflow, webhookId } = triggerToHttpWorkflow(options);
	const workflowId = await n8n.importWorkflow(workflow);
	await n8n.activateWorkflow(workflowId);
	const webhookPath = n8n.webhookPath(workflowId, { name: TRIGGER_NODE_NAME, webhookId }, TRIGGER_WEBHOOK_PATH);
	return { workflowId, webhookId, url: `${n8n.baseUrl}/webhook/${webhookPath}`, webhookPath };
}

/** A saved account document, with the event counts it scores from (its own and its floating users'). */
export type SavedAccount = AccountDoc & { eventCounts: Record<string, number> };

/** The built-in store's snapshot, unpacked (readSnapshot), accounts with their event counts added. */
export interface SavedPqlState {
	format: number;
	savedAt: number;
	accounts: SavedAccount[];
	users: UserDoc[];
	seen: Array<[string, number]>;
	outbox: OutboxEntry[];
}

/**
 * What an account's score counts, per event name: the events that named it plus the unassigned
 * events of the users floating to it (as accountSubject merges them).
 */
export function savedEventCounts(account: AccountDoc, users: ReadonlyMap<string, UserDoc>): Record<string, number> {
	const counts: Record<string, number> = { ...account.named.eventCounts };
	for (const userId of account.floatingUsers) {
		const user = users.get(userId);
		if (user?.floating === undefined || user.floatingAccount !== account.id) continue;
		for (const [name, count] of Object.entries(user.floating.eventCounts)) counts[name] = (counts[name] ?? 0) + count;
	}
	return counts;
}

/** The built-in store's state in the workflow's static data, snapshot and journal (undefined before the first save). */
export async function readSavedState(n8n: N8nMain, workflowId: string): Promise<SavedPqlState | undefined> {
	const workflow = await n8n.getWorkflow(workflowId);
	const staticData = (workflow.staticData ?? {}) as Record<string, Record<string, unknown> | undefined>;
	const saved = staticData[`node:${TRIGGER_NODE_NAME}`];
	if (typeof saved?.pqlState !== 'string') return undefined;
	const snapshot = readStateTexts(saved.pqlState, saved.pqlJournal as string | undefined);
	if (snapshot === undefined) throw new Error(`workflow ${workflowId}: the saved state is not a snapshot of format ${SNAPSHOT_FORMAT}`);
	const users = new Map(snapshot.users.map((user) => [user.id, user]));
	return { format: SNAPSHOT_FORMAT, ...snapshot, accounts: snapshot.accounts.map((account) => ({ ...account, eventCounts: savedEventCounts(account, users) })) };
}

/** The snapshot the trigger saves when its workflow is deactivated (webhook delete), once n8n has written it. */
export async function snapshotSavedAfter(n8n: N8nMain, workflowId: string, since: number, timeoutMs = 60_000): Promise<SavedPqlState> {
	const started = Date.now();
	for (;;) {
		const saved = await readSavedState(n8n, workflowId);
		if (saved !== undefined && saved.savedAt >= since) return saved;
		if (Date.now() - started > timeoutMs) throw new Error(`no snapshot saved on deactivation (last saved at ${saved?.savedAt}, deactivated at ${since})`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** Waits until the workflow has at least `atLeast` executions and none is still running. */
export async function settledExecutions(n8n: N8nMain, workflowId: string, atLeast: number, timeoutMs = 60_000): Promise<N8nExecution[]> {
	const started = Date.now();
	for (;;) {
		const executions = await n8n.listExecutions(workflowId);
		const running = executions.filter((execution) => !execution.finished && execution.stoppedAt === null);
		if (executions.length >= atLeast && running.length === 0) return executions;
		if (Date.now() - started > timeoutMs) {
			throw new Error(`workflow ${workflowId}: ${executions.length} executions (${running.length} running) after ${timeoutMs} ms, expected ≥ ${atLeast}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}
