/**
 * Workflows as a person finds them in the editor: imported through n8n's internal REST API (as the
 * editor's "Import from file" saves them), so pinned data and sticky notes come along — the public
 * API drops pinned data. Webhook nodes without a webhookId get one, as the editor gives them.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, type N8nInstance } from './n8nServer';

export const WORKFLOWS_DIR = path.join(REPO_ROOT, 'workflows');

type EditorApi = Pick<N8nInstance, 'api' | 'userFolder'>;

interface WorkflowFile {
	name: string;
	nodes: Array<Record<string, unknown> & { type: string }>;
	[key: string]: unknown;
}

function typesWithWebhooks(userFolder: string): Set<string> {
	const file = path.join(userFolder, '.cache', 'n8n', 'public', 'types', 'nodes.json');
	const types = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ name: string; webhooks?: unknown[] }>;
	return new Set(types.filter((type) => (type.webhooks?.length ?? 0) > 0).map((type) => type.name));
}

/** Creates the workflow with everything the file holds (pinned data included); returns its id. */
export async function importForEditor(n8n: EditorApi, workflow: WorkflowFile): Promise<string> {
	const webhookTypes = typesWithWebhooks(n8n.userFolder);
	const nodes = workflow.nodes.map((node) => (webhookTypes.has(node.type) && node.webhookId === undefined ? { ...node, webhookId: randomUUID() } : node));
	const { id: _id, active: _active, versionId: _versionId, ...rest } = workflow;
	const created = (await n8n.api('POST', '/rest/workflows', { ...rest, nodes, settings: workflow.settings ?? { executionOrder: 'v1' } })) as { id: string };
	return created.id;
}

/** Every workflow file of the repository, by file name. */
export function repositoryWorkflows(): Array<{ file: string; workflow: WorkflowFile }> {
	return fs
		.readdirSync(WORKFLOWS_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({ file, workflow: JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8')) as WorkflowFile }));
}
