/**
 * Proof that the real-n8n harness works (test/helpers/n8nServer.ts):
 *   npx ts-node --transpile-only tools/n8n/smoke.ts
 * (after `bash tools/n8n/install.sh`). Generates a throwaway community package with two webhook
 * triggers, installs it into a fresh n8n, activates a workflow for each and drives them over
 * loopback HTTP:
 *   - noopTrigger: webhook() answers 'ok' and starts no execution → requests/s of n8n's webhook
 *     path itself, under N8N_EXPRESSION_ENGINE=vm (n8n's default) and =legacy;
 *   - counterTrigger: a module-level counter; starts an execution (returns workflowData) only on
 *     every 10th request → 100 requests must give exactly 10 executions; after restart() the
 *     counter starts again from 1 (module state is per process).
 * Every loop is bounded; only 127.0.0.1 is contacted. Exits non-zero if a check fails.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { N8nInstance, httpRequest, startN8n } from '../../test/helpers/n8nServer';

const PKG = 'n8n-nodes-e2e-smoke';
const LOAD_TOTAL = 500;
const LOAD_CONCURRENCY = 50;
const COUNTER_REQUESTS = 100;

const NOOP_NODE = `
class NoopTrigger {
	constructor() {
		this.description = {
			displayName: 'Noop Trigger',
			name: 'noopTrigger',
			group: ['trigger'],
			version: 1,
			description: 'Answers ok, starts nothing',
			defaults: { name: 'Noop Trigger' },
			inputs: [],
			outputs: ['main'],
			properties: [],
			webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'noop', isFullPath: true }],
		};
	}
	async webhook() {
		return { webhookResponse: 'ok' };
	}
}
module.exports = { NoopTrigger };
`;

const COUNTER_NODE = `
let counter = 0; // module-level: lives as long as the n8n process
class CounterTrigger {
	constructor() {
		this.description = {
			displayName: 'Counter Trigger',
			name: 'counterTrigger',
			group: ['trigger'],
			version: 1,
			description: 'Starts an execution on every 10th request',
			defaults: { name: 'Counter Trigger' },
			inputs: [],
			outputs: ['main'],
			properties: [],
			webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'count', isFullPath: true }],
		};
	}
	async webhook() {
		counter += 1;
		const webhookResponse = { count: counter, pid: process.pid };
		if (counter % 10 !== 0) return { webhookResponse };
		return { webhookResponse, workflowData: [[{ json: { count: counter, body: this.getBodyData() } }]] };
	}
}
module.exports = { CounterTrigger };
`;

function makePackage(dir: string): string {
	const pkgDir = path.join(dir, 'pkg');
	fs.mkdirSync(path.join(pkgDir, 'dist'), { recursive: true });
	fs.writeFileSync(
		path.join(pkgDir, 'package.json'),
		JSON.stringify(
			{
				name: PKG,
				version: '0.0.1',
				description: 'throwaway package for tools/n8n/smoke.ts',
				keywords: ['n8n-community-node-package'],
				license: 'MIT',
				files: ['dist'],
				n8n: {
					n8nNodesApiVersion: 1,
					credentials: [],
					nodes: ['dist/NoopTrigger.node.js', 'dist/CounterTrigger.node.js'],
				},
				peerDependencies: { 'n8n-workflow': '*' },
			},
			null,
			2,
		),
	);
	fs.writeFileSync(path.join(pkgDir, 'dist', 'NoopTrigger.node.js'), NOOP_NODE);
	fs.writeFileSync(path.join(pkgDir, 'dist', 'CounterTrigger.node.js'), COUNTER_NODE);
	const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: pkgDir, encoding: 'utf8' });
	return path.join(dir, out.trim().split('\n').pop()!);
}

function workflow(name: string, triggerType: string) {
	return {
		name,
		nodes: [
			{ id: 'a1', name: 'Trigger', type: triggerType, typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'a2', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
		],
		connections: { Trigger: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

interface LoadResult {
	rps: number;
	ok: number;
	failed: number;
	p50: number;
	p95: number;
	firstError?: string;
}

/** `total` POSTs over `concurrency` keep-alive connections; bounded by count and per-request timeout. */
async function load(url: string, total: number, concurrency: number, expectBody?: string): Promise<LoadResult> {
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	const latencies: number[] = [];
	let next = 0;
	let ok = 0;
	let failed = 0;
	let firstError: string | undefined;
	const body = JSON.stringify({ event: 'smoke' });
	const started = process.hrtime.bigint();
	const worker = async () => {
		while (next < total) {
			next++;
			const t0 = process.hrtime.bigint();
			try {
				const r = await httpRequest(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body,
					agent,
					timeoutMs: 30000,
				});
				latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
				if (r.status === 200 && (expectBody === undefined || r.body === expectBody)) ok++;
				else {
					failed++;
					firstError ??= `${r.status} ${r.body.slice(0, 200)}`;
				}
			} catch (e) {
				failed++;
				firstError ??= (e as Error).message;
			}
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	agent.destroy();
	latencies.sort((a, b) => a - b);
	const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
	return { rps: total / seconds, ok, failed, p50: pct(0.5), p95: pct(0.95), firstError };
}

const fmt = (r: LoadResult) =>
	`${r.rps.toFixed(0)} req/s (ok ${r.ok}, failed ${r.failed}, p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms)` +
	(r.firstError ? ` first error: ${r.firstError}` : '');

const failures: string[] = [];
function check(cond: boolean, what: string) {
	console.log(`${cond ? 'PASS' : 'FAIL'} ${what}`);
	if (!cond) failures.push(what);
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
	const t0 = Date.now();
	const v = await fn();
	return [v, (Date.now() - t0) / 1000];
}

async function noopThroughput(n8n: N8nInstance): Promise<LoadResult> {
	const id = await n8n.importWorkflow(workflow('noop', `${PKG}.noopTrigger`));
	const [, activation] = await timed(() => n8n.activateWorkflow(id));
	console.log(`  activation (publish → webhook registered): ${activation.toFixed(2)} s`);
	const url = `${n8n.baseUrl}/webhook/noop`;
	await load(url, 20, 5, 'ok'); // warm-up: node module loaded, caches filled
	const r = await load(url, LOAD_TOTAL, LOAD_CONCURRENCY, 'ok');
	const executions = await n8n.listExecutions(id);
	check(executions.length === 0, `noopTrigger started no execution (${executions.length})`);
	return r;
}

async function main() {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-smoke-'));
	process.once('SIGINT', () => {
		fs.rmSync(tmp, { recursive: true, force: true });
		process.exit(130); // the helper's exit hook kills n8n and removes its user folders
	});
	const instances: N8nInstance[] = [];
	try {
		const tarball = makePackage(tmp);
		console.log(`package: ${path.basename(tarball)}`);

		// --- vm engine (n8n's default) + the counter checks ---
		let [n8n, startSeconds] = await timed(() => startN8n({ packageTarball: tarball, expressionEngine: 'vm' }));
		instances.push(n8n);
		console.log(`n8n started (vm) at ${n8n.baseUrl} in ${startSeconds.toFixed(1)} s; user folder ${n8n.userFolder}`);
		const types = n8n.loadedNodeTypes();
		check(types.includes(`${PKG}.noopTrigger`) && types.includes(`${PKG}.counterTrigger`),
			`nodes.json lists ${PKG}.noopTrigger and ${PKG}.counterTrigger (${types.length} types)`);

		const vm = await noopThroughput(n8n);
		console.log(`noop webhook, N8N_EXPRESSION_ENGINE=vm: ${fmt(vm)}`);
		check(vm.failed === 0, 'all vm requests answered 200 "ok"');

		const counterId = await n8n.importWorkflow(workflow('counter', `${PKG}.counterTrigger`));
		await n8n.activateWorkflow(counterId);
		const counterUrl = `${n8n.baseUrl}/webhook/count`;
		const c = await load(counterUrl, COUNTER_REQUESTS, 10);
		check(c.failed === 0, `${COUNTER_REQUESTS} counter requests answered 200 (${fmt(c)})`);
		let executions = await n8n.listExecutions(counterId);
		for (let i = 0; i < 100 && !(executions.length >= 10 && executions.every((e) => e.finished || e.stoppedAt)); i++) {
			await new Promise((r) => setTimeout(r, 100));
			executions = await n8n.listExecutions(counterId);
		}
		const counts = (await n8n.listExecutions(counterId, { includeData: true }))
			.map((e) => JSON.stringify(e.data ?? '').match(/"count":(\d+)/)?.[1])
			.sort((a, b) => Number(a) - Number(b));
		console.log(`counter: executions after ${COUNTER_REQUESTS} requests: ${executions.length} ` +
			`(statuses ${[...new Set(executions.map((e) => e.status))].join(',')}; counts ${counts.join(',')})`);
		check(executions.length === 10, 'exactly 10 executions (only every 10th webhook() returned workflowData)');

		const before = JSON.parse((await httpRequest(counterUrl, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).body);
		const [, restartSeconds] = await timed(() => n8n.restart());
		console.log(`restart (same user folder) took ${restartSeconds.toFixed(1)} s`);
		const after = JSON.parse((await httpRequest(counterUrl, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).body);
		console.log(`counter before restart: ${JSON.stringify(before)}, first request after restart: ${JSON.stringify(after)}`);
		check(before.count === COUNTER_REQUESTS + 1 && after.count === 1 && after.pid !== before.pid,
			'module-level state is per process: the counter restarts at 1 after restart()');
		await n8n.stop();
		instances.pop();

		// --- legacy engine ---
		[n8n, startSeconds] = await timed(() => startN8n({ packageTarball: tarball, expressionEngine: 'legacy' }));
		instances.push(n8n);
		console.log(`n8n started (legacy) in ${startSeconds.toFixed(1)} s`);
		const legacy = await noopThroughput(n8n);
		console.log(`noop webhook, N8N_EXPRESSION_ENGINE=legacy: ${fmt(legacy)}`);
		check(legacy.failed === 0, 'all legacy requests answered 200 "ok"');
		await n8n.stop();
		instances.pop();

		console.log(`\nSUMMARY requests/s (${LOAD_TOTAL} requests, ${LOAD_CONCURRENCY} connections, noop trigger): ` +
			`vm ${vm.rps.toFixed(0)}, legacy ${legacy.rps.toFixed(0)}`);
	} finally {
		for (const i of instances) await i.stop().catch(() => undefined);
		fs.rmSync(tmp, { recursive: true, force: true });
	}
	console.log(`${failures.length === 0 ? 'smoke OK' : `smoke FAILED: ${failures.join('; ')}`}`);
	process.exitCode = failures.length === 0 ? 0 : 1;
}

main().catch((e) => {
	console.error(e);
	process.exitCode = 1;
});
