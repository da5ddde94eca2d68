/**
 * A real n8n (the version tools/n8n/install.sh installs, on Node 24) for end-to-end tests and
 * benchmarks: `startN8n()` gives a fresh instance in its own temp user folder, with an optional
 * community-package tarball installed the way n8n installs one.
 *
 * Usable from jest (test/e2e/*.test.ts) and from ts-node scripts (tools/n8n/smoke.ts).
 * Run `bash tools/n8n/install.sh` once first (idempotent; `ensureN8nInstalled()` does the same).
 *
 * How things are done against n8n 2.40.x, and why:
 * - Community package: n8n loads every `n8n-nodes-*` / `@scope/n8n-nodes-*` directory in
 *   `$N8N_USER_FOLDER/.n8n/nodes/node_modules` at start (community-packages module →
 *   n8n-core scanDirectoryForPackages), DB rows not needed. Node types are named
 *   `<package name>.<description.name>`, e.g. `n8n-nodes-pql.pqlScore`. We `npm install` the
 *   .tgz into `.n8n/nodes` (--legacy-peer-deps so the `n8n-workflow` peer is not fetched: n8n
 *   itself strips peerDependencies before installing). The package name MUST start with
 *   `n8n-nodes-` or n8n ignores it.
 * - Auth: n8n 2.x has no "user management disabled" mode; the REST APIs need an owner. We let
 *   n8n create it at boot from env (N8N_INSTANCE_OWNER_MANAGED_BY_ENV + a bcrypt hash), log in
 *   (POST /rest/login, cookie + `browser-id` header), and create an API key with all scopes
 *   the owner may hold (POST /rest/api-keys).
 * - Import: public API POST /api/v1/workflows (name/nodes/connections/settings/staticData only).
 *   Nodes without a webhookId get one, as the editor would do.
 * - Activation (2.40 calls it "publish"): POST /api/v1/workflows/:id/activate returns at once
 *   but only queues the publication in an outbox; triggers/webhooks are registered a moment later.
 *   We poll GET /rest/workflows/:id/publication-status (cookie auth) until `published`
 *   (throws on `failed`/`partial`, with n8n's error message). The CLI alternative
 *   (`n8n import:workflow` + `n8n publish:workflow --id`) works only while the server is stopped
 *   and each CLI call boots n8n (seconds), so it is not used.
 * - Production webhook URL: `${baseUrl}/webhook/<path>` where path is the webhook description's
 *   `path` only when it has `isFullPath: true` (or is n8n's Webhook node); otherwise n8n registers
 *   `<webhookId>/<path>` — see `webhookPath()`.
 * - Webhooks are stored in the DB, so after `restart()` they answer as soon as the server is up.
 * - The process is spawned detached (its own process group: n8n + its JS task runner child)
 *   and `stop()` kills the whole group; an exit hook kills any instance left running.
 * - The pieces (`N8nProcess`, `n8nApiClient`, `n8nEnv`, `createUserFolder`) also build the
 *   queue-mode cluster of test/helpers/n8nQueue.ts.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Where tools/n8n/install.sh put n8n: outside the clone, so clones and CI runs share one install. */
export const N8N_E2E_DIR =
	process.env.N8N_E2E_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'n8n-nodes-pql', 'n8n-e2e');
export const NODE24_BIN = path.join(N8N_E2E_DIR, 'node', 'bin', 'node');
export const N8N_BIN = path.join(N8N_E2E_DIR, 'n8n', 'node_modules', 'n8n', 'bin', 'n8n');

const OWNER_EMAIL = 'e2e@example.com';
const OWNER_PASSWORD = 'E2e-password-1';
/** bcrypt (cost 10) of OWNER_PASSWORD; n8n only accepts a pre-hashed password from env. */
const OWNER_PASSWORD_HASH = '$2a$10$TDTBnXgdS9w4wCUdkEIYcuxrKlbmcDpLVDYSNCQkixHTyUmYBHXIO';
/** The owner account every instance is created with (for a browser login or a person at the editor). */
export const OWNER_LOGIN = { email: OWNER_EMAIL, password: OWNER_PASSWORD } as const;
const BROWSER_ID = 'n8n-e2e-helper';
/** What each n8n command prints when it is ready (n8n 2.40: commands/start.js, webhook.js, worker.js). */
export const READY_LINES = {
	start: 'Editor is now accessible via',
	webhook: 'Webhook listener waiting for requests.',
	worker: 'n8n worker is now ready',
} as const;
export type N8nCommand = keyof typeof READY_LINES;

export interface StartN8nOptions {
	/** A community-package .tgz (from `npm pack`) to install into `.n8n/nodes`. */
	packageTarball?: string;
	/** Extra/overriding env for n8n (wins over the defaults below). */
	env?: Record<string, string>;
	/** HTTP port; default: a free loopback port. */
	port?: number;
	/** Shortcut for N8N_EXPRESSION_ENGINE; default: n8n's own default (`vm` in 2.40). */
	expressionEngine?: 'vm' | 'legacy';
	/** ms to wait for readiness at each (re)start; default 120 s. */
	startTimeoutMs?: number;
	/** Keep the user folder after stop() (also with env N8N_E2E_KEEP=1). */
	keepUserFolder?: boolean;
}

export interface N8nExecution {
	id: string;
	workflowId: string;
	mode: string;
	status: string;
	finished: boolean;
	startedAt: string;
	stoppedAt: string | null;
	data?: unknown;
}

/** What a test does through a main process's REST APIs. */
export interface N8nWorkflowApi {
	/** Creates the workflow (not active); returns its id. */
	importWorkflow(workflow: object | string): Promise<string>;
	/** Publishes the workflow and waits until its triggers/webhooks are registered. */
	activateWorkflow(id: string, timeoutMs?: number): Promise<void>;
	deactivateWorkflow(id: string): Promise<void>;
	/** The stored workflow (public API shape, incl. staticData). */
	getWorkflow(id: string): Promise<Record<string, unknown>>;
	/** Executions, newest first (all pages). */
	listExecutions(workflowId?: string, opts?: { includeData?: boolean }): Promise<N8nExecution[]>;
	/** Node type names n8n loaded (from `$N8N_USER_FOLDER/.cache/n8n/public/types/nodes.json`). */
	loadedNodeTypes(): string[];
	/**
	 * The part after `/webhook/` that n8n registers for a node's production webhook
	 * (n8n-workflow getNodeWebhookPath): the description's path when it has `isFullPath: true`,
	 * else `<webhookId>/<path>`, else `<workflowId>/<lower-cased node name>/<path>`.
	 */
	webhookPath(workflowId: string, node: { name: string; webhookId?: string }, descriptionPath: string, isFullPath?: boolean): string;
	/** Authenticated call to the public API (/api/v1/...) or internal REST (/rest/...). */
	api(method: string, urlPath: string, body?: unknown): Promise<unknown>;
}

export interface N8nInstance extends N8nWorkflowApi {
	baseUrl: string;
	port: number;
	userFolder: string;
	logFile: string;
	/** Stops and starts n8n again on the same user folder and port. */
	restart(): Promise<void>;
	/** Kills the process tree; removes the user folder unless kept. */
	stop(): Promise<void>;
	/** Last lines of n8n's stdout+stderr. */
	logTail(lines?: number): string;
}

export function n8nInstalled(): boolean {
	return fs.existsSync(NODE24_BIN) && fs.existsSync(N8N_BIN);
}

/** Runs tools/n8n/install.sh (a no-op when already installed). */
export function ensureN8nInstalled(): void {
	execFileSync('bash', [path.join(REPO_ROOT, 'tools', 'n8n', 'install.sh')], { stdio: 'inherit' });
}

// --- small utilities -------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as net.AddressInfo;
			srv.close(() => resolve(port));
		});
	});
}

export interface HttpResult {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: string;
}

/** A plain HTTP/1.1 request to 127.0.0.1 (no keep-alive agent; 30 s timeout). */
export function httpRequest(
	url: string,
	opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number; agent?: http.Agent } = {},
): Promise<HttpResult> {
	return new Promise((resolve, reject) => {
		const req = http.request(
			url,
			{ method: opts.method ?? 'GET', headers: opts.headers, agent: opts.agent, timeout: opts.timeoutMs ?? 30000 },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () =>
					resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
				);
				res.on('error', reject);
			},
		);
		req.on('timeout', () => req.destroy(new Error(`timeout: ${opts.method ?? 'GET'} ${url}`)));
		req.on('error', reject);
		if (opts.body !== undefined) req.write(opts.body);
		req.end();
	});
}

function tailOf(file: string, lines = 60): string {
	try {
		const text = fs.readFileSync(file, 'utf8');
		return text.split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

// Kill any instance still running when this process exits (jest worker end, crash, ctrl-C):
// n8n runs in its own process group, so a terminal's ctrl-C would not reach it.
const running = new Set<ChildProcess>();
const foldersToRemove = new Set<string>();
let exitHookInstalled = false;
function killAllRunning() {
	for (const child of running) {
		try {
			process.kill(-child.pid!, 'SIGKILL');
		} catch {
			/* already gone */
		}
	}
	running.clear();
	for (const dir of foldersToRemove) fs.rmSync(dir, { recursive: true, force: true });
	foldersToRemove.clear();
}
function installExitHook() {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.on('exit', killAllRunning);
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.once(sig, () => {
			killAllRunning();
			// if nobody else handles it, re-raise: our handler is gone, so the default (exit) applies
			if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
		});
	}
}

export function installTarball(userFolder: string, tarball: string): void {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2),
	);
	try {
		execFileSync(
			'npm',
			[
				'install',
				path.resolve(tarball),
				'--ignore-scripts',
				'--no-audit',
				'--no-fund',
				'--legacy-peer-deps', // don't fetch the n8n-workflow peer: n8n provides it
				'--prefer-offline',
				'--no-package-lock',
				'--loglevel=error',
			],
			{ cwd: nodesDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: nodePath() } },
		);
	} catch (e) {
		const err = e as { stderr?: Buffer; stdout?: Buffer; message: string };
		throw new Error(
			`npm install of ${tarball} into ${nodesDir} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`,
		);
	}
}

function nodePath(): string {
	return `${path.dirname(NODE24_BIN)}${path.delimiter}${process.env.PATH ?? ''}`;
}

export function baseEnv(): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (v === undefined) continue;
		// Don't leak the caller's node/ts-node/jest/npm settings or n8n config into n8n. NODE_ENV
		// above all: jest sets it to `test`, and n8n then runs in its own unit-test mode (it exits
		// at boot with code 1 and no message).
		if (/^(NODE_ENV|NODE_OPTIONS|NODE_PATH|TS_NODE_|JEST_|npm_|N8N_|DB_|EXECUTIONS_|QUEUE_|WEBHOOK_URL|GENERIC_TIMEZONE)/.test(k))
			continue;
		env[k] = v;
	}
	return env;
}

// --- building blocks: user folders, env, processes, the REST API ------------------------------

export function keepUserFolders(options: { keepUserFolder?: boolean }): boolean {
	return options.keepUserFolder === true || process.env.N8N_E2E_KEEP === '1';
}

/**
 * A fresh user folder (`$N8N_USER_FOLDER`) with a tmp dir, and the community package: installed
 * from `packageTarball`, or copied from another user folder's `.n8n/nodes` (same install, no npm run).
 * Removed at process exit unless kept.
 */
export function createUserFolder(options: { packageTarball?: string; nodesFrom?: string; keep?: boolean }): string {
	installExitHook();
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
	if (!options.keep) foldersToRemove.add(userFolder);
	fs.mkdirSync(path.join(userFolder, 'tmp'));
	try {
		if (options.nodesFrom) {
			fs.cpSync(path.join(options.nodesFrom, '.n8n', 'nodes'), path.join(userFolder, '.n8n', 'nodes'), { recursive: true, verbatimSymlinks: true });
		} else if (options.packageTarball) {
			installTarball(userFolder, options.packageTarball);
		}
	} catch (e) {
		removeUserFolder(userFolder);
		throw e;
	}
	return userFolder;
}

export function removeUserFolder(userFolder: string): void {
	fs.rmSync(userFolder, { recursive: true, force: true });
	foldersToRemove.delete(userFolder);
}

/** The owner n8n creates at boot (a main process only). */
export const OWNER_ENV: Record<string, string> = {
	N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
	N8N_INSTANCE_OWNER_EMAIL: OWNER_EMAIL,
	N8N_INSTANCE_OWNER_PASSWORD_HASH: OWNER_PASSWORD_HASH,
	N8N_INSTANCE_OWNER_FIRST_NAME: 'E2e',
	N8N_INSTANCE_OWNER_LAST_NAME: 'Owner',
};

/** Env every n8n process of a test gets: its folder and ports, loopback only, community packages on, quiet and offline. */
export function n8nEnv(process_: { userFolder: string; port: number; brokerPort: number }): Record<string, string> {
	return {
		...baseEnv(),
		PATH: nodePath(), // n8n spawns its JS task runner as `node` from PATH: must be Node 24
		N8N_USER_FOLDER: process_.userFolder,
		TMPDIR: path.join(process_.userFolder, 'tmp'), // n8n writes to os.tmpdir() (e.g. n8nDataTableUploads): keep it in the user folder
		N8N_PORT: String(process_.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_RUNNERS_BROKER_PORT: String(process_.brokerPort), // default 5679 would clash between processes
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_SECURE_COOKIE: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		// Quiet and offline: no telemetry, version checks, templates, banners, AI, license renewals.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry', // it fetches a server list from the internet at boot
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		N8N_LOG_LEVEL: 'info',
	};
}

export interface N8nProcessOptions {
	command: N8nCommand;
	userFolder: string;
	env: Record<string, string>;
	logFile: string;
	/** Also wait for this URL (a server's /healthz/readiness) to answer 200. */
	readinessUrl?: string;
	startTimeoutMs: number;
}

/** One n8n process (`n8n start | webhook | worker`) in its own process group, with its log file. */
export class N8nProcess {
	private child: ChildProcess | undefined;

	constructor(readonly options: N8nProcessOptions) {}

	get running(): boolean {
		return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
	}

	logTail(lines = 60): string {
		return tailOf(this.options.logFile, lines);
	}

	/** The whole log (all starts). */
	log(): string {
		return fs.existsSync(this.options.logFile) ? fs.readFileSync(this.options.logFile, 'utf8') : '';
	}

	fail(message: string): Error {
		return new Error(`${message}\n--- tail of ${this.options.logFile} (n8n ${this.options.command}) ---\n${this.logTail()}`);
	}

	/** Spawns the process and waits until it has printed its ready line (and its readiness URL answers). */
	async start(): Promise<void> {
		const { command, env, logFile, readinessUrl, startTimeoutMs, userFolder } = this.options;
		installExitHook();
		const logStart = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
		const fd = fs.openSync(logFile, 'a');
		const started = Date.now();
		const proc = spawn(NODE24_BIN, [N8N_BIN, command], {
			cwd: userFolder,
			env,
			detached: true, // own process group → stop() kills n8n and its task runner together
			stdio: ['ignore', fd, fd],
		});
		fs.closeSync(fd);
		this.child = proc;
		running.add(proc);
		let exited: string | undefined;
		proc.on('exit', (code, signal) => {
			exited = `n8n ${command} exited (code ${code}, signal ${signal})`;
			running.delete(proc);
		});
		while (Date.now() - started < startTimeoutMs) {
			if (exited) throw this.fail(`n8n ${command} did not start: ${exited}`);
			if (this.log().slice(logStart).includes(READY_LINES[command]) && (await answers200(readinessUrl))) return;
			await sleep(100);
		}
		throw this.fail(`n8n ${command} not ready after ${startTimeoutMs} ms`);
	}

	/** Graceful stop (SIGTERM: n8n stops triggers and saves state), SIGKILL after 20 s. */
	async stop(): Promise<void> {
		await this.end('SIGTERM');
	}

	/** Kills the process group at once, as a crash would: nothing is saved, requests in flight break. */
	async kill(): Promise<void> {
		await this.end('SIGKILL');
	}

	private async end(first: NodeJS.Signals): Promise<void> {
		const proc = this.child;
		this.child = undefined;
		if (!proc) return;
		const signalGroup = (signal: NodeJS.Signals) => {
			try {
				process.kill(-proc.pid!, signal);
			} catch {
				/* already gone */
			}
		};
		if (proc.exitCode === null && proc.signalCode === null) {
			const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
			signalGroup(first);
			let timer: NodeJS.Timeout | undefined;
			const timedOut = await Promise.race([gone.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 20000)))]);
			clearTimeout(timer);
			if (timedOut) {
				signalGroup('SIGKILL');
				await gone;
			}
		}
		signalGroup('SIGKILL'); // any straggler left in the group (task runner)
		running.delete(proc);
	}
}

async function answers200(url: string | undefined): Promise<boolean> {
	if (url === undefined) return true;
	try {
		return (await httpRequest(url, { timeoutMs: 2000 })).status === 200;
	} catch {
		return false; // not listening yet
	}
}

export interface N8nApiClient extends N8nWorkflowApi {
	/** Logs in as the owner and creates an API key with every scope the owner may hold. */
	connect(): Promise<void>;
	/** After a restart of the main process: logs in again and waits until the active workflows are published again. */
	reconnect(): Promise<void>;
}

/** The REST APIs of a main process (`n8n start`) at `baseUrl`, whose user folder holds the loaded node types. */
export function n8nApiClient(baseUrl: string, userFolder: string, fail: (message: string) => Error): N8nApiClient {
	let cookie = '';
	let apiKey = '';
	let nodeTypesCache: Array<{ name: string; webhooks?: unknown[] }> | undefined;
	const activated = new Set<string>();

	async function login(): Promise<void> {
		const r = await httpRequest(`${baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': BROWSER_ID },
			body: JSON.stringify({ emailOrLdapLoginId: OWNER_EMAIL, password: OWNER_PASSWORD }),
		});
		const set = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
		const auth = set.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (r.status !== 200 || !auth) throw fail(`login failed: ${r.status} ${r.body.slice(0, 300)}`);
		cookie = auth;
	}

	async function call(method: string, urlPath: string, body?: unknown): Promise<unknown> {
		const headers: Record<string, string> = { accept: 'application/json' };
		if (urlPath.startsWith('/api/')) headers['x-n8n-api-key'] = apiKey;
		else Object.assign(headers, { cookie, 'browser-id': BROWSER_ID });
		if (body !== undefined) headers['content-type'] = 'application/json';
		const r = await httpRequest(`${baseUrl}${urlPath}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		if (r.status >= 400) throw fail(`${method} ${urlPath} → ${r.status}: ${r.body.slice(0, 1000)}`);
		if (!r.body) return undefined;
		const parsed = JSON.parse(r.body) as unknown;
		// internal REST wraps answers in { data }, the public API does not
		return urlPath.startsWith('/rest/') && parsed && typeof parsed === 'object' && 'data' in parsed
			? (parsed as { data: unknown }).data
			: parsed;
	}

	function readNodeTypes(): Array<{ name: string; webhooks?: unknown[] }> {
		if (!nodeTypesCache) {
			const file = path.join(userFolder, '.cache', 'n8n', 'public', 'types', 'nodes.json');
			nodeTypesCache = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ name: string; webhooks?: unknown[] }>;
		}
		return nodeTypesCache;
	}

	async function waitPublished(id: string, timeoutMs: number): Promise<void> {
		const started = Date.now();
		let last: unknown;
		while (Date.now() - started < timeoutMs) {
			const s = (await call('GET', `/rest/workflows/${id}/publication-status`)) as {
				status: string;
				triggers: Array<{ nodeId: string; status: string; errorMessage: string | null }>;
			};
			last = s;
			if (s.status === 'published') return;
			if (s.status === 'failed' || s.status === 'partial') {
				throw fail(`activation of workflow ${id} ${s.status}: ${JSON.stringify(s.triggers)}`);
			}
			await sleep(100);
		}
		throw fail(`workflow ${id} not published after ${timeoutMs} ms: ${JSON.stringify(last)}`);
	}

	return {
		api: call,

		async connect() {
			await login();
			const scopes = (await call('GET', '/rest/api-keys/scopes')) as string[];
			const created = (await call('POST', '/rest/api-keys', { label: `e2e-${Date.now()}`, expiresAt: null, scopes })) as { rawApiKey: string };
			apiKey = created.rawApiKey;
		},

		async reconnect() {
			nodeTypesCache = undefined;
			await login();
			for (const id of activated) await waitPublished(id, 60000);
		},

		async importWorkflow(workflow) {
			const wf = (typeof workflow === 'string' ? JSON.parse(workflow) : workflow) as Record<string, unknown>;
			const types = readNodeTypes();
			const nodes = ((wf.nodes as Array<Record<string, unknown>>) ?? []).map((n) => {
				const t = types.find((d) => d.name === n.type);
				return t?.webhooks?.length && n.webhookId === undefined ? { ...n, webhookId: randomUUID() } : n;
			});
			const body: Record<string, unknown> = {
				name: wf.name ?? `e2e ${Date.now()}`,
				nodes,
				connections: wf.connections ?? {},
				settings: wf.settings ?? { executionOrder: 'v1' },
			};
			if (wf.staticData) body.staticData = wf.staticData;
			const created = (await call('POST', '/api/v1/workflows', body)) as { id: string };
			return created.id;
		},

		async activateWorkflow(id, timeoutMs = 60000) {
			await call('POST', `/api/v1/workflows/${id}/activate`);
			activated.add(id);
			await waitPublished(id, timeoutMs);
		},

		async deactivateWorkflow(id) {
			await call('POST', `/api/v1/workflows/${id}/deactivate`);
			activated.delete(id);
		},

		async getWorkflow(id) {
			return (await call('GET', `/api/v1/workflows/${id}`)) as Record<string, unknown>;
		},

		async listExecutions(workflowId, opts = {}) {
			const out: N8nExecution[] = [];
			let cursor: string | null | undefined;
			for (let page = 0; page < 1000; page++) {
				const q = new URLSearchParams({ limit: '250' });
				if (workflowId) q.set('workflowId', workflowId);
				if (opts.includeData) q.set('includeData', 'true');
				if (cursor) q.set('cursor', cursor);
				const r = (await call('GET', `/api/v1/executions?${q}`)) as { data: N8nExecution[]; nextCursor: string | null };
				out.push(...r.data);
				cursor = r.nextCursor;
				if (!cursor) break;
			}
			return out;
		},

		loadedNodeTypes() {
			return readNodeTypes().map((t) => t.name);
		},

		webhookPath(workflowId, node, descriptionPath, isFullPath = false) {
			if (node.webhookId === undefined) {
				return `${workflowId}/${encodeURIComponent(node.name.toLowerCase())}/${descriptionPath}`;
			}
			if (isFullPath) return descriptionPath || node.webhookId;
			return `${node.webhookId}/${descriptionPath}`;
		},
	};
}

// --- the instance ----------------------------------------------------------------------------

/** One n8n (`n8n start`, SQLite, regular execution mode) in a fresh user folder. */
export async function startN8n(options: StartN8nOptions = {}): Promise<N8nInstance> {
	if (!n8nInstalled()) {
		throw new Error(`n8n is not installed in ${N8N_E2E_DIR}: run \`bash tools/n8n/install.sh\` first`);
	}
	const keep = keepUserFolders(options);
	const userFolder = createUserFolder({ packageTarball: options.packageTarball, keep });
	const logFile = path.join(userFolder, 'n8n.log');
	const port = options.port ?? (await freePort());
	const baseUrl = `http://127.0.0.1:${port}`;
	const env: Record<string, string> = {
		...n8nEnv({ userFolder, port, brokerPort: await freePort() }),
		...OWNER_ENV,
		WEBHOOK_URL: `${baseUrl}/`,
		DB_TYPE: 'sqlite',
		EXECUTIONS_MODE: 'regular', // no queue mode / Redis
		...(options.expressionEngine ? { N8N_EXPRESSION_ENGINE: options.expressionEngine } : {}),
		...(options.env ?? {}),
	};
	const main = new N8nProcess({
		command: 'start',
		userFolder,
		env,
		logFile,
		// Ready = /healthz/readiness answers 200 (DB up and migrated) AND `n8n start` has printed
		// its last start-up line (after outbox/webhook set-up).
		readinessUrl: `${baseUrl}/healthz/readiness`,
		startTimeoutMs: options.startTimeoutMs ?? 120000,
	});
	const client = n8nApiClient(baseUrl, userFolder, (message) => main.fail(message));
	const removeFolder = () => {
		if (!keep) removeUserFolder(userFolder);
	};

	try {
		await main.start();
		await client.connect();
	} catch (e) {
		await main.stop();
		removeFolder();
		throw e;
	}

	const { connect: _connect, reconnect, ...workflowApi } = client;
	return {
		...workflowApi,
		baseUrl,
		port,
		userFolder,
		logFile,
		async restart() {
			await main.stop();
			await main.start();
			await reconnect();
		},
		async stop() {
			await main.stop();
			removeFolder();
		},
		logTail: (lines = 60) => main.logTail(lines),
	};
}
