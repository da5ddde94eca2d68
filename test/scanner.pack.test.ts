/**
 * The gate n8n verifies community packages with: its scanner (@n8n/scan-community-package, run offline by
 * ../shared/tools/n8n-scan.sh beside the clone) on the source and on the packed tarball. Fails with the
 * scanner's own findings. Also checks that `npm run lint` (eslint.config.mjs) applies exactly the rules
 * the scanner applies, so the lint catches the same findings before a pack.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from './helpers/n8nServer';
import { buildAndPackPql } from './helpers/pqlPackage';

jest.setTimeout(15 * 60_000);

const SCAN_SCRIPT = path.join(REPO_ROOT, '..', 'shared', 'tools', 'n8n-scan.sh');
/** Where n8n-scan.sh installs the scanner (its PQL_SCAN_DIR). */
const SCANNER_DIR = process.env.PQL_SCAN_DIR ?? '/tmp/pql-scan';
/** One file of each kind the scanner lints: package.json, node and credential sources, a codex file. */
const SAMPLE_FILES = [
	'package.json',
	'nodes/PqlScore/PqlScore.node.ts',
	'nodes/PqlScore/PqlScore.node.json',
	'nodes/engine/score.ts',
	'credentials/PqlWebhookSecretApi.credentials.ts',
];

/**
 * The environment of a scanner run as n8n's own: without jest's NODE_ENV=test, under which
 * eslint-plugin-n8n-nodes-base switches to its own test mode (fake file names: "Rename file to …",
 * "Suffix with '-Trigger'" on every node).
 */
function scannerEnv(): NodeJS.ProcessEnv {
	const { NODE_ENV: _jestSetsThis, ...env } = process.env;
	return env;
}

let packDir: string;

beforeAll(() => {
	if (!fs.existsSync(SCAN_SCRIPT)) throw new Error(`n8n's scanner script is missing: expected ${SCAN_SCRIPT} (../shared/tools beside the clone)`);
	packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pql-scan-pack-'));
});

afterAll(() => {
	if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
});

test("n8n's scanner passes on the source and on the packed tarball", () => {
	const tarball = buildAndPackPql(packDir);
	const scan = spawnSync('bash', [SCAN_SCRIPT, REPO_ROOT, tarball], { encoding: 'utf8', timeout: 10 * 60_000, env: scannerEnv() });
	const output = `${scan.stdout}${scan.stderr}`.trim();
	console.log(output.split('\n').pop());
	// The findings themselves are the failure message.
	expect(scan.status === 0 ? 'passed' : output).toBe('passed');
});

test("npm run lint applies exactly the scanner's rules to the files the scanner reads", () => {
	if (!fs.existsSync(path.join(SCANNER_DIR, 'node_modules', '@n8n', 'scan-community-package'))) {
		throw new Error(`The scanner is not installed in ${SCANNER_DIR}: the scan test above installs it`);
	}
	const rulesOf = (cwd: string, eslintSetup: string) => {
		const script = `
			${eslintSetup}
			const out = {};
			for (const file of ${JSON.stringify(SAMPLE_FILES)}) {
				const config = await eslint.calculateConfigForFile(${JSON.stringify(REPO_ROOT)} + '/' + file);
				const severity = (entry) => { const level = Array.isArray(entry) ? entry[0] : entry; return { 0: 'off', 1: 'warn', 2: 'error' }[level] ?? level; };
				out[file] = Object.fromEntries(Object.entries(config.rules ?? {}).map(([rule, entry]) => [rule, severity(entry)]).filter(([, level]) => level !== 'off').sort());
			}
			console.log(JSON.stringify(out));`;
		const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8', timeout: 120_000, env: scannerEnv() });
		if (run.status !== 0) throw new Error(`computing the lint rules in ${cwd} failed: ${run.stderr}`);
		return JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, Record<string, string>>;
	};
	const ours = rulesOf(REPO_ROOT, `import { ESLint } from 'eslint'; const eslint = new ESLint({ cwd: ${JSON.stringify(REPO_ROOT)} });`);
	const scanners = rulesOf(
		SCANNER_DIR,
		`import { ESLint } from 'eslint';
		const { buildScanConfig } = await import('./node_modules/@n8n/scan-community-package/scanner/scanner.mjs');
		const eslint = new ESLint({ cwd: ${JSON.stringify(REPO_ROOT)}, overrideConfigFile: true, overrideConfig: await buildScanConfig() });`,
	);
	for (const file of SAMPLE_FILES) expect(Object.keys(scanners[file]).length).toBeGreaterThan(10);
	expect(ours).toEqual(scanners);
});
