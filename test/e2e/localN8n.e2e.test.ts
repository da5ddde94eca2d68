/**
 * `npm run n8n` (tools/n8n/local.ts) as a person runs it, and the screenshots of the README taken
 * on it: the command builds and installs the package into a real n8n 2.40, imports workflows/,
 * prints the URL, the login and each workflow's link; headless Chromium logs in with that login,
 * shoots the demo's canvas and its execution output (test/helpers/screenshot.ts); Ctrl-C (SIGINT)
 * stops n8n and the command exits 0.
 *
 * The pictures go to a temp dir; UPDATE_SCREENSHOTS=1 writes them to docs/screenshots/ instead.
 * Needs Debian's chromium (apt-get install -y chromium). Builds the package, so run it under the
 * build lock: flock /tmp/pql-build.lock npx jest test/e2e/localN8n.e2e.test.ts
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, httpRequest, REPO_ROOT } from '../helpers/n8nServer';
import { chromiumInstalled, CHROMIUM_PATH, openN8nBrowser } from '../helpers/screenshot';

jest.setTimeout(300_000);

const DEMO_FILE = 'pql-score-demo.json';
const SCREENSHOTS_DIR = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(REPO_ROOT, 'docs', 'screenshots') : fs.mkdtempSync(path.join(os.tmpdir(), 'pql-screenshots-'));

interface Started {
	url: string;
	email: string;
	password: string;
	/** Workflow file → editor URL. */
	workflows: Map<string, string>;
}

let command: ChildProcess;
let output = '';
let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

/** What Ctrl-C in a terminal does: SIGINT to the whole foreground process group. */
function pressCtrlC(): void {
	process.kill(-command.pid!, 'SIGINT');
}

/** Resolves when the output matches; with `mustRun`, rejects as soon as the command has ended. */
function waitForOutput(pattern: RegExp, timeoutMs: number, mustRun = true): Promise<RegExpMatchArray> {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const check = setInterval(() => {
			const match = output.match(pattern);
			if (match) {
				clearInterval(check);
				resolve(match);
			} else if (Date.now() - started > timeoutMs || (mustRun && (command.exitCode !== null || command.signalCode !== null))) {
				clearInterval(check);
				reject(new Error(`npm run n8n did not print ${pattern} (exit ${command.exitCode}):\n${output}`));
			}
		}, 200);
	});
}

function parseStarted(text: string): Started {
	const url = /n8n is running: (http:\/\/\S+)/.exec(text)![1];
	const [, email, password] = /Log in as (\S+) \/ (\S+)/.exec(text)!;
	const workflows = new Map<string, string>();
	for (const [, link, file] of text.matchAll(/(http:\/\/\S+\/workflow\/\S+)\s+\((\S+\.json)\)/g)) workflows.set(file, link);
	return { url, email, password, workflows };
}

/** PNG signature and IHDR size. */
function pngSize(file: string): { width: number; height: number } {
	const bytes = fs.readFileSync(file);
	expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
	return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

let started: Started;

beforeAll(async () => {
	if (!chromiumInstalled()) throw new Error(`No Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
	const port = await freePort();
	// Its own process group, like a terminal's foreground job: Ctrl-C reaches npm, sh and the tool.
	command = spawn('npm', ['run', 'n8n'], { cwd: REPO_ROOT, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	command.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	command.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	exit = new Promise((resolve) => command.once('exit', (code, signal) => resolve({ code, signal })));
	await waitForOutput(/Press Ctrl-C to stop/, 240_000);
	started = parseStarted(output);
});

afterAll(async () => {
	if (command.exitCode === null && command.signalCode === null) {
		pressCtrlC();
		await exit;
	}
});

test('npm run n8n prints the URL, a login that works, and a link to every workflow of workflows/', async () => {
	const files = fs.readdirSync(path.join(REPO_ROOT, 'workflows')).filter((file) => file.endsWith('.json')).sort();
	expect([...started.workflows.keys()].sort()).toEqual(files);
	const login = await httpRequest(`${started.url}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: started.email, password: started.password }),
	});
	expect(login.status).toBe(200);
	expect(output).toMatch(/Nodes of this package: .*n8n-nodes-pql\.pqlScore/);
});

test('the demo on the canvas and its execution output, shot in headless Chromium with nothing in the way', async () => {
	const browser = await openN8nBrowser(started.url, { email: started.email, password: started.password });
	try {
		const demoId = started.workflows.get(DEMO_FILE)!.split('/workflow/')[1];
		const canvas = path.join(SCREENSHOTS_DIR, 'pql-score-demo-canvas.png');
		const outputShot = path.join(SCREENSHOTS_DIR, 'pql-score-demo-output.png');
		expect(await browser.shootCanvas(demoId, canvas)).toEqual([]);
		const shot = await browser.shootExecutionOutput(demoId, 'PQL Score', outputShot);
		expect(shot.problems).toEqual([]);
		// The output shows the scored accounts: the first (highest) is Globex, with its reasons.
		expect(shot.outputText).toContain('Scored Branch (4 items)');
		expect(shot.outputText).toContain('Logged in 7 times in the last 7 days (+10)');
		for (const file of [canvas, outputShot]) {
			expect(pngSize(file)).toEqual({ width: 1440, height: 810 });
			expect(fs.statSync(file).size).toBeGreaterThan(20_000);
		}
	} finally {
		await browser.close();
	}
});

test('Ctrl-C stops n8n: the tool says so, and nothing answers on the port any more', async () => {
	pressCtrlC();
	// npm itself ends on the SIGINT, as in a terminal; the tool finishes stopping n8n and says so.
	const { code, signal } = await exit;
	expect(code === 0 || signal === 'SIGINT').toBe(true);
	await waitForOutput(/n8n stopped\./, 60_000, false);
	await expect(httpRequest(`${started.url}/healthz`, { timeoutMs: 2000 })).rejects.toThrow();
});
