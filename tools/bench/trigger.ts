/**
 * npm run bench:trigger — the PQL Threshold Trigger inside a real n8n 2.40 (tools/n8n/install.sh),
 * once per expression engine (N8N_EXPRESSION_ENGINE=legacy, then =vm; one n8n start each), at
 * CONCURRENCY concurrent keep-alive senders on loopback, against:
 *   ours     — the trigger (template workflow, preset rules, shared-secret header, built-in store)
 *              fed realistic PostHog destination bodies for ~500 accounts: it fires rarely;
 *   floor    — a trigger node that only answers 200 (same webhook description shape: static, POST,
 *              onReceived, webhookId path, the same hidden raw-body option), loaded from a
 *              throwaway custom-extension directory (startN8n installs one package only);
 *   baseline — n8n's own Webhook node, answering at once and starting one execution per event.
 * Prints events/s, p50/p99 latency, ours/floor (target ≥ 0.8), and executions started against
 * crossings (ours) or events (baseline). Request counts are bounded (BENCH_TRIGGER_REQUESTS for
 * legacy, BENCH_TRIGGER_VM_REQUESTS for vm, after WARMUP requests each).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startHttpSink, type HttpSink } from '../../test/helpers/httpSink';
import { sendConcurrently, type LoadReport } from '../../test/helpers/loadSender';
import { ensureN8nInstalled, startN8n, type N8nInstance } from '../../test/helpers/n8nServer';
import { postHogLoad, type LoadEvent } from '../../test/helpers/postHogLoad';
import { buildAndPackPql } from '../../test/helpers/pqlPackage';
import { createCredential, deployTriggerWorkflow, settledExecutions } from '../../test/helpers/pqlWorkflows';

type Engine = 'legacy' | 'vm';
type Scenario = 'ours' | 'floor' | 'baseline';

const CONCURRENCY = 50;
const WARMUP = 50;
const REQUESTS: Record<Engine, number> = {
	legacy: Number(process.env.BENCH_TRIGGER_REQUESTS ?? 2000),
	vm: Number(process.env.BENCH_TRIGGER_VM_REQUESTS ?? 600),
};
const ACCOUNTS = 500;
const SECRET_HEADER = 'X-PQL-Secret';
const SECRET = 'bench-trigger-secret';
const TARGET_RATIO = 0.8;

const FLOOR_TYPE = 'CUSTOM.pqlFloorTrigger';
const FLOOR_NODE = `
// Written by tools/bench/trigger.ts: the cheapest trigger n8n can run for a webhook request.
class PqlFloorTrigger {
	constructor() {
		this.description = {
			displayName: 'PQL Floor Trigger',
			name: 'pqlFloorTrigger',
			group: ['trigger'],
			version: 1,
			description: 'Answers 200, starts nothing',
			defaults: { name: 'PQL Floor Trigger' },
			inputs: [],
			outputs: ['main'],
			properties: [{ displayName: 'Raw Body', name: 'options', type: 'hidden', default: { binaryData: true } }],
			webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'floor-events' }],
		};
	}
	async webhook() {
		this.getResponseObject().status(200).json({ accepted: 1 });
		return { noWebhookResponse: true };
	}
}
module.exports = { PqlFloorTrigger };
`;

interface Measured {
	engine: Engine;
	scenario: Scenario;
	report: LoadReport;
	/** Executions the workflow started, over warm-up and measured requests. */
	executions: number;
	/** What should have started them: crossings (ours), events (baseline), nothing (floor). */
	expectedExecutions: number;
}

interface Target {
	url: string;
	headers: Record<string, string>;
	workflowId: string;
}

function writeFloorExtension(dir: string): string {
	const extensionDir = path.join(dir, 'floor-extension');
	fs.mkdirSync(extensionDir, { recursive: true });
	fs.writeFileSync(path.join(extensionDir, 'PqlFloorTrigger.node.js'), FLOOR_NODE);
	return extensionDir;
}

async function deployOurs(n8n: N8nInstance, sink: HttpSink): Promise<Target> {
	const credential = await createCredential(n8n, 'pqlWebhookSecretApi', 'Bench secret', { headerName: SECRET_HEADER, secret: SECRET });
	const deployed = await deployTriggerWorkflow(n8n, {
		name: 'bench: PQL Threshold Trigger',
		parameters: { authentication: 'sharedSecretHeader', rulesSource: 'preset' },
		credentials: { pqlWebhookSecretApi: credential },
		sinkUrl: sink.url('/sink/ours'),
	});
	return { url: deployed.url, headers: { [SECRET_HEADER]: SECRET }, workflowId: deployed.workflowId };
}

async function deployFloor(n8n: N8nInstance): Promise<Target> {
	const webhookId = 'b3c1f7e2-0000-4f00-9000-00000000f100';
	const workflowId = await n8n.importWorkflow({
		name: 'bench: floor',
		nodes: [{ id: 'f1', name: 'PQL Floor Trigger', type: FLOOR_TYPE, typeVersion: 1, position: [0, 0], parameters: {}, webhookId }],
		connections: {},
	});
	await n8n.activateWorkflow(workflowId);
	const webhookPath = n8n.webhookPath(workflowId, { name: 'PQL Floor Trigger', webhookId }, 'floor-events');
	return { url: `${n8n.baseUrl}/webhook/${webhookPath}`, headers: {}, workflowId };
}

async function deployBaseline(n8n: N8nInstance): Promise<Target> {
	const workflowId = await n8n.importWorkflow({
		name: 'bench: n8n Webhook node',
		nodes: [
			{
				id: 'w1',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'b3c1f7e2-0000-4f00-9000-00000000b100',
				parameters: { httpMethod: 'POST', path: 'bench-baseline', responseMode: 'onReceived', options: {} },
			},
		],
		connections: {},
	});
	await n8n.activateWorkflow(workflowId);
	return { url: `${n8n.baseUrl}/webhook/bench-baseline`, headers: {}, workflowId };
}

async function drive(target: Target, events: LoadEvent[], count: number): Promise<{ warmup: LoadReport; report: LoadReport }> {
	const request = (offset: number) => (index: number) => ({
		url: target.url,
		headers: { 'content-type': 'application/json', ...target.headers },
		body: events[offset + index].body,
	});
	const warmup = await sendConcurrently(WARMUP, request(0), { concurrency: Math.min(CONCURRENCY, 10) });
	const report = await sendConcurrently(count, request(WARMUP), { concurrency: CONCURRENCY });
	return { warmup, report };
}

function firedIn(report: LoadReport): number {
	return report.results.reduce((total, result) => {
		try {
			return total + Number((JSON.parse(result.body) as { fired?: number }).fired ?? 0);
		} catch {
			return total;
		}
	}, 0);
}

async function benchEngine(engine: Engine, tarball: string, floorDir: string, events: LoadEvent[]): Promise<Measured[]> {
	const count = REQUESTS[engine];
	const started = Date.now();
	const n8n = await startN8n({ packageTarball: tarball, env: { N8N_EXPRESSION_ENGINE: engine, N8N_CUSTOM_EXTENSIONS: floorDir } });
	const sink = await startHttpSink();
	console.log(`\nn8n (N8N_EXPRESSION_ENGINE=${engine}) up in ${((Date.now() - started) / 1000).toFixed(1)} s; ${count} requests per scenario after ${WARMUP} warm-up`);
	try {
		const measured: Measured[] = [];
		const targets: Array<[Scenario, () => Promise<Target>]> = [
			['floor', () => deployFloor(n8n)],
			['ours', () => deployOurs(n8n, sink)],
			['baseline', () => deployBaseline(n8n)],
		];
		for (const [scenario, deploy] of targets) {
			const target = await deploy();
			const { warmup, report } = await drive(target, events, count);
			const sent = WARMUP + count;
			const expectedExecutions = scenario === 'ours' ? firedIn(warmup) + firedIn(report) : scenario === 'baseline' ? sent : 0;
			const executions = (await settledExecutions(n8n, target.workflowId, expectedExecutions, 300_000)).length;
			const failures = warmup.failed + report.failed;
			console.log(
				`  ${scenario.padEnd(8)} ${report.perSecond.toFixed(0).padStart(5)} events/s  p50 ${report.p50.toFixed(0)} ms  p99 ${report.p99.toFixed(0)} ms` +
					`  executions ${executions}${failures > 0 ? `  FAILED ${failures}: ${warmup.firstFailure ?? report.firstFailure}` : ''}`,
			);
			measured.push({ engine, scenario, report, executions, expectedExecutions });
		}
		return measured;
	} finally {
		await sink.close();
		await n8n.stop();
	}
}

function printTable(results: Measured[]): boolean {
	let ok = true;
	console.log(`\nPQL Threshold Trigger vs floor vs baseline — n8n 2.40.7, SQLite, ${CONCURRENCY} concurrent senders, loopback, ${ACCOUNTS} accounts`);
	console.log('| engine | scenario | events/s | p50 ms | p99 ms | ours/floor | executions started | expected |');
	console.log('|---|---|---:|---:|---:|---:|---:|---|');
	for (const engine of ['legacy', 'vm'] as Engine[]) {
		const of = (scenario: Scenario) => results.find((result) => result.engine === engine && result.scenario === scenario);
		const floor = of('floor');
		for (const scenario of ['ours', 'floor', 'baseline'] as Scenario[]) {
			const result = of(scenario);
			if (result === undefined || floor === undefined) continue;
			const { report } = result;
			const ratio = scenario === 'ours' ? report.perSecond / floor.report.perSecond : undefined;
			const expected =
				scenario === 'ours'
					? `${result.expectedExecutions} crossings`
					: scenario === 'baseline'
						? `${result.expectedExecutions} events (one each)`
						: 'none';
			const ratioCell = ratio === undefined ? '' : `${ratio.toFixed(2)} ${ratio >= TARGET_RATIO ? '✓' : `✗ (target ${TARGET_RATIO})`}`;
			console.log(
				`| ${engine} | ${scenario} | ${report.perSecond.toFixed(0)} | ${report.p50.toFixed(0)} | ${report.p99.toFixed(0)} | ${ratioCell} | ${result.executions} | ${expected} |`,
			);
			if (ratio !== undefined && ratio < TARGET_RATIO) ok = false;
			if (result.executions !== result.expectedExecutions || report.failed > 0) ok = false;
		}
	}
	return ok;
}

async function main(): Promise<void> {
	ensureN8nInstalled();
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pql-bench-trigger-'));
	process.once('SIGINT', () => {
		fs.rmSync(tmp, { recursive: true, force: true });
		process.exit(130); // the helper's exit hook stops n8n
	});
	try {
		const tarball = buildAndPackPql(tmp);
		const floorDir = writeFloorExtension(tmp);
		const most = Math.max(...Object.values(REQUESTS));
		const { events } = postHogLoad({ accounts: ACCOUNTS, events: WARMUP + most, seed: 42, heavyEvery: 25, heavyWeight: 4 });
		const results: Measured[] = [];
		for (const engine of ['legacy', 'vm'] as Engine[]) results.push(...(await benchEngine(engine, tarball, floorDir, events)));
		const ok = printTable(results);
		console.log(ok ? '\nbench:trigger OK' : '\nbench:trigger: a target was missed (see ✗ or executions ≠ expected)');
		void ok; // a benchmark reports; it does not fail the run
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
