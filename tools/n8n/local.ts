/**
 * `npm run n8n`: a local real n8n (the 2.40.7 of tools/n8n/install.sh, on Node 24) with this
 * package built, packed and installed as a community package, an owner account, and every
 * workflow of workflows/ imported with its pinned sample data. Prints the URL and the login;
 * Ctrl-C stops n8n and removes its temporary user folder.
 *
 * PORT=5678 (default; a free port when taken). N8N_E2E_DIR: where n8n is installed.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { importForEditor, repositoryWorkflows } from '../../test/helpers/editorWorkflows';
import { ensureN8nInstalled, freePort, OWNER_LOGIN, startN8n } from '../../test/helpers/n8nServer';
import { buildAndPackPql } from '../../test/helpers/pqlPackage';

const DEFAULT_PORT = 5678;

async function portIsFree(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const probe = net.createServer();
		probe.once('error', () => resolve(false));
		probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
}

async function main(): Promise<void> {
	ensureN8nInstalled();
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-pql-pack-'));
	console.log('Building and packing n8n-nodes-pql …');
	const tarball = buildAndPackPql(packDir);
	const wanted = Number(process.env.PORT ?? DEFAULT_PORT);
	const port = (await portIsFree(wanted)) ? wanted : await freePort();
	console.log(`Starting n8n on port ${port} (about half a minute) …`);
	const n8n = await startN8n({ packageTarball: tarball, port, startTimeoutMs: 180_000 });

	const imported: string[] = [];
	for (const { file, workflow } of repositoryWorkflows()) {
		const id = await importForEditor(n8n, workflow);
		imported.push(`  ${workflow.name}\n    ${n8n.baseUrl}/workflow/${id}   (${file})`);
	}
	const ours = n8n.loadedNodeTypes().filter((type) => type.startsWith('n8n-nodes-pql.'));

	console.log(`
n8n is running: ${n8n.baseUrl}
Log in as ${OWNER_LOGIN.email} / ${OWNER_LOGIN.password}

Nodes of this package: ${ours.join(', ')}
Workflows:
${imported.join('\n')}

Press Ctrl-C to stop (the instance and its data are thrown away).`);

	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		console.log('\nStopping n8n …');
		await n8n.stop();
		fs.rmSync(packDir, { recursive: true, force: true });
		console.log('n8n stopped.');
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
}

main().catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
