/**
 * This repository as the community package n8n installs: `npm run build`, then `npm pack` into a
 * directory of the caller's. Shared by the e2e tests and tools/bench/trigger.ts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './n8nServer';

export const PQL_PACKAGE = 'n8n-nodes-pql';
export const PQL_TRIGGER_TYPE = `${PQL_PACKAGE}.pqlThresholdTrigger`;
const TRIGGER_FILE = 'dist/nodes/PqlThresholdTrigger/PqlThresholdTrigger.node.js';

/** Builds the package and packs it into `destination`; returns the .tgz path. */
export function buildAndPackPql(destination: string): string {
	const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } };
	if (!manifest.n8n.nodes.includes(TRIGGER_FILE)) {
		throw new Error(`package.json "n8n.nodes" does not list ${TRIGGER_FILE}: n8n would not load the trigger`);
	}
	execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
	const out = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', destination], {
		cwd: REPO_ROOT,
		encoding: 'utf8',
	});
	return path.join(destination, out.trim().split('\n').pop()!);
}
