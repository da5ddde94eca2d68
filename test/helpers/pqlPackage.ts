/**
 * This repository as the community package n8n installs: `npm run build`, then `npm pack` into a
 * directory of the caller's. Shared by the e2e tests and tools/bench/trigger.ts.
 *
 * The node and credential files the trigger needs must be listed in package.json's `n8n` field or
 * n8n never loads them. While they are missing there, the tarball is packed from a staged copy
 * whose package.json lists them, and a warning says so: the e2e tests still exercise the trigger,
 * and the warning (and test/package.test.ts) keep the missing entries visible.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './n8nServer';

export const PQL_PACKAGE = 'n8n-nodes-pql';
export const PQL_TRIGGER_TYPE = `${PQL_PACKAGE}.pqlThresholdTrigger`;

const TRIGGER_MANIFEST = {
	nodes: ['dist/nodes/PqlThresholdTrigger/PqlThresholdTrigger.node.js'],
	credentials: [
		'dist/credentials/SegmentWebhookApi.credentials.js',
		'dist/credentials/PqlWebhookSecretApi.credentials.js',
		'dist/credentials/PqlRedisApi.credentials.js',
	],
};

interface PackageManifest {
	n8n: { nodes: string[]; credentials: string[] };
	files: string[];
	[key: string]: unknown;
}

function npmPack(packageDir: string, destination: string): string {
	const out = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', destination], {
		cwd: packageDir,
		encoding: 'utf8',
	});
	return path.join(destination, out.trim().split('\n').pop()!);
}

/** Entries of TRIGGER_MANIFEST that package.json's `n8n` field lacks. */
export function missingManifestEntries(manifest: PackageManifest): string[] {
	return [
		...TRIGGER_MANIFEST.nodes.filter((file) => !manifest.n8n.nodes.includes(file)),
		...TRIGGER_MANIFEST.credentials.filter((file) => !manifest.n8n.credentials.includes(file)),
	];
}

function stageWithTriggerListed(manifest: PackageManifest, destination: string): string {
	const stage = path.join(destination, 'stage');
	fs.rmSync(stage, { recursive: true, force: true });
	fs.mkdirSync(stage, { recursive: true });
	const n8n = {
		...manifest.n8n,
		nodes: [...new Set([...manifest.n8n.nodes, ...TRIGGER_MANIFEST.nodes])],
		credentials: [...new Set([...manifest.n8n.credentials, ...TRIGGER_MANIFEST.credentials])],
	};
	fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify({ ...manifest, n8n }, null, 2));
	for (const entry of ['dist', 'index.js', 'LICENSE', 'README.md']) {
		const from = path.join(REPO_ROOT, entry);
		if (fs.existsSync(from)) fs.cpSync(from, path.join(stage, entry), { recursive: true });
	}
	return stage;
}

/** Builds the package and packs it into `destination`; returns the .tgz path. */
export function buildAndPackPql(destination: string): string {
	execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
	const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as PackageManifest;
	const missing = missingManifestEntries(manifest);
	if (missing.length === 0) return npmPack(REPO_ROOT, destination);
	console.warn(`package.json "n8n" does not list ${missing.join(', ')}: packing a staged copy that does (add them to package.json)`);
	return npmPack(stageWithTriggerListed(manifest, destination), destination);
}
