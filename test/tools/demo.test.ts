/**
 * `npm run demo` (tools/demo/demo.ts) as the README promises: the PQL table with reasons, then the
 * Slack message and the HubSpot properties the HubSpot + Slack template would send, with no account
 * and no network (the Apollo stand-in listens on loopback).
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

test('prints the PQLs with reasons, the Slack blocks and the HubSpot properties', () => {
	const output = execFileSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', 'tools/demo/demo.ts'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
	expect(output).toMatch(/^PQL\s+80\s+hot\s+Acme Inc/m);
	expect(output).toContain('· Invited 3 teammates in the last 14 days (+15)');
	expect(output).toContain('Slack (chat.postMessage, fallback text "New PQL: Acme Inc, score 80/70 (hot)"):');
	expect(output).toContain('  │ New PQL: Acme Inc (80)');
	expect(output).toContain('  │ *Domain*: acme.io   *Industry*: logistics   *Employees*: 200   *Country*: Germany');
	expect(output).toMatch(/^ {2}pql_score {10}80$/m);
	expect(output).toMatch(/^ {2}pql_reasons {8}Logged in 6 times in the last 7 days \(\+10\)$/m);
	expect(output).toMatch(/^ {2}dealName {11}PQL: Acme Inc$/m);
}, 90_000);
