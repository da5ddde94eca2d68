/**
 * The PQL Threshold Trigger through crashes and stops of a real n8n 2.40 (tools/n8n/install.sh),
 * built-in store, the timer ticking every second (Check Every 1 s), Save State Every 5 s:
 *
 * (a) kill -9 within a second after crossings were acknowledged (`fired: 1`), then a restart: every
 *     acknowledged crossing reaches an execution (at least once; when twice, with the same fireId) and
 *     no account fires for a crossing it did not make. What each execution sends is recorded by a
 *     local HTTP sink, which outlives n8n, so deliveries before the kill and after the restart count.
 * (b) SIGTERM mid-stream, then a restart: the stored counts equal the events acknowledged before the
 *     stop. n8n calls the trigger's close function on shutdown but saves a trigger's static data only
 *     when it emits: the close function saves the snapshot with an execution of no items, and from then
 *     on every request that is still answered saves too.
 *
 * startN8n's instance only stops gracefully, so the n8n here is built from the same pieces
 * (N8nProcess, n8nApiClient) to also have kill() (SIGKILL to n8n's process group).
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { startHttpSink, type HttpSink } from '../helpers/httpSink';
import {
	createUserFolder,
	ensureN8nInstalled,
	freePort,
	httpRequest,
	keepUserFolders,
	n8nApiClient,
	n8nEnv,
	N8nProcess,
	OWNER_ENV,
	removeUserFolder,
	type N8nWorkflowApi,
} from '../helpers/n8nServer';
import { buildAndPackPql } from '../helpers/pqlPackage';
import { deployTriggerWorkflow, readSavedState, type DeployedTrigger } from '../helpers/pqlWorkflows';

jest.setTimeout(240_000);

const RUN = randomUUID().slice(0, 8);
const SAVE_EVERY_SECONDS = 5;
const CROSSING_ACCOUNTS = 20;
const QUIET_ACCOUNTS = 10;
const STREAM_ACCOUNTS = 20;
const STREAM_SENDERS = 4;
/** How long the stream runs before SIGTERM (more than one Save State Every window). */
const STREAM_BEFORE_STOP_MS = 8_000;

interface FiredItem {
	fireId: string;
	accountId: string;
	score: number;
}

interface Killable {
	n8n: N8nWorkflowApi & { baseUrl: string };
	/** SIGKILL to the process group, as a crash. */
	kill(): Promise<void>;
	/** SIGTERM (graceful stop; SIGKILL after 20 s). */
	terminate(): Promise<void>;
	/** Starts n8n again on the same folder and port; waits until the active workflows are published. */
	start(): Promise<void>;
	remove(): Promise<void>;
	logTail(lines?: number): string;
}

async function startKillableN8n(tarball: string): Promise<Killable> {
	const keep = keepUserFolders({});
	const userFolder = createUserFolder({ packageTarball: tarball, keep });
	const port = await freePort();
	const baseUrl = `http://127.0.0.1:${port}`;
	const env: Record<string, string> = {
		...n8nEnv({ userFolder, port, brokerPort: await freePort() }),
		...OWNER_ENV,
		WEBHOOK_URL: `${baseUrl}/`,
		DB_TYPE: 'sqlite',
		EXECUTIONS_MODE: 'regular',
		N8N_EXPRESSION_ENGINE: 'legacy',
	};
	const main = new N8nProcess({
		command: 'start',
		userFolder,
		env,
		logFile: path.join(userFolder, 'n8n.log'),
		readinessUrl: `${baseUrl}/healthz/readiness`,
		startTimeoutMs: 120_000,
	});
	const client = n8nApiClient(baseUrl, userFolder, (message) => main.fail(message));
	await main.start();
	await client.connect();
	const { connect: _connect, reconnect, ...api } = client;
	return {
		n8n: { ...api, baseUrl },
		kill: () => main.kill(),
		terminate: () => main.stop(),
		async start() {
			await main.start();
			await reconnect();
		},
		async remove() {
			await main.kill();
			if (!keep) removeUserFolder(userFolder);
		},
		logTail: (lines) => main.logTail(lines),
	};
}

/** Points: +1 per `login`; a threshold of `threshold`. */
function loginRules(threshold: number): string {
	return JSON.stringify({
		mode: 'points',
		threshold,
		tiers: [
			{ name: 'hot', minScore: threshold },
			{ name: 'cold', minScore: null },
		],
		rules: [{ name: 'Logins', category: 'usage', type: 'eventCount', event: 'login', pointsPer: 'unit', points: 1 }],
	});
}

let sequence = 0;
function login(accountId: string): string {
	sequence++;
	return JSON.stringify({
		type: 'track',
		messageId: `msg-${RUN}-${sequence}`,
		userId: `${accountId}-user`,
		event: 'login',
		properties: {},
		context: { groupId: accountId },
		timestamp: new Date(Date.now() - 60_000).toISOString(),
	});
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 50 });

interface Ack {
	accountId: string;
	status: number;
	fired: number;
	accepted: number;
	/** When the answer arrived (epoch ms). */
	at: number;
}

async function send(url: string, accountId: string): Promise<Ack> {
	try {
		const answer = await httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: login(accountId), agent: keepAlive, timeoutMs: 30_000 });
		const json = answer.status === 200 ? (JSON.parse(answer.body) as { fired?: number; accepted?: number }) : {};
		return { accountId, status: answer.status, fired: json.fired ?? 0, accepted: json.accepted ?? 0, at: Date.now() };
	} catch {
		return { accountId, status: 0, fired: 0, accepted: 0, at: Date.now() };
	}
}

let instance: Killable;
let sink: HttpSink;
let packDir: string;
const deployed: Record<'crash' | 'stop', DeployedTrigger> = {} as never;

beforeAll(async () => {
	ensureN8nInstalled();
	packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pql-e2e-crash-pack-'));
	const tarball = buildAndPackPql(packDir);
	instance = await startKillableN8n(tarball);
	sink = await startHttpSink();
	const settings = { checkEverySeconds: 1, saveEverySeconds: SAVE_EVERY_SECONDS };
	deployed.crash = await deployTriggerWorkflow(instance.n8n, {
		name: 'PQL e2e: kill -9 after crossings',
		// The default 7-day cooldown: a crossing lost here would stay lost for a week.
		parameters: { authentication: 'none', rulesSource: 'json', rulesJson: loginRules(3), cooldownDays: 7, hysteresis: 0, settings },
		sinkUrl: sink.url('/sink/crash'),
	});
	deployed.stop = await deployTriggerWorkflow(instance.n8n, {
		name: 'PQL e2e: SIGTERM mid-stream',
		// Never crosses: no crossing forces a save, only Save State Every does.
		parameters: { authentication: 'none', rulesSource: 'json', rulesJson: loginRules(1_000_000), settings },
		sinkUrl: sink.url('/sink/stop'),
	});
}, 5 * 60_000);

afterAll(async () => {
	keepAlive.destroy();
	await sink?.close();
	await instance?.remove();
	if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
});

test('kill -9 right after crossings: every acknowledged crossing fires after the restart, at least once, with its fireId', async () => {
	const { url } = deployed.crash;
	const crossing = Array.from({ length: CROSSING_ACCOUNTS }, (_, i) => `crash-${RUN}-c${i}`);
	const quiet = Array.from({ length: QUIET_ACCOUNTS }, (_, i) => `crash-${RUN}-q${i}`);
	// Two logins each (score 2 of 3): nobody crosses yet.
	for (let round = 0; round < 2; round++) {
		const acks = await Promise.all([...crossing, ...quiet].map((accountId) => send(url, accountId)));
		expect(acks.map((ack) => [ack.status, ack.fired])).toEqual(acks.map(() => [200, 0]));
	}
	// The third login of the 20, all at once: 20 crossings, each saved before its answer.
	const acks = await Promise.all(crossing.map((accountId) => send(url, accountId)));
	expect(acks.map((ack) => ack.status)).toEqual(crossing.map(() => 200));
	const acknowledged = new Set(acks.filter((ack) => ack.fired >= 1).map((ack) => ack.accountId));
	expect(acknowledged).toEqual(new Set(crossing));
	const lastAck = Math.max(...acks.map((ack) => ack.at));
	await new Promise((resolve) => setTimeout(resolve, 250));
	const killedAt = Date.now();
	await instance.kill();
	const firedBefore = sink.callsTo('/sink/crash').length;
	console.log(`kill -9 ${killedAt - lastAck} ms after the last crossing's answer; ${firedBefore} of ${CROSSING_ACCOUNTS} crossings had reached the sink`);

	await instance.start();
	const restartedAt = Date.now();
	const items = () => sink.callsTo('/sink/crash').map((call) => call.body as FiredItem);
	await sink.waitFor(() => new Set(items().map((item) => item.accountId)).size >= acknowledged.size, 90_000).catch(() => undefined);
	// Duplicates of crossings delivered before the kill (execution done, outbox drop not yet saved) arrive in the same ticks.
	await new Promise((resolve) => setTimeout(resolve, 4_000));

	const all = items();
	const byAccount = new Map<string, string[]>();
	for (const item of all) byAccount.set(item.accountId, [...(byAccount.get(item.accountId) ?? []), item.fireId]);
	const duplicates = all.length - byAccount.size;
	const twice = [...byAccount].filter(([, fireIds]) => fireIds.length > 1).map(([accountId]) => accountId);
	const receivedAt = (accountId: string) =>
		sink
			.callsTo('/sink/crash')
			.filter((call) => (call.body as FiredItem).accountId === accountId)
			.map((call) => `${((call.receivedAt - restartedAt) / 1000).toFixed(1)} s`);
	const executions = await instance.n8n.listExecutions(deployed.crash.workflowId);
	console.log(
		`after the restart: ${all.length} deliveries for ${byAccount.size} accounts (${all.length - firedBefore} after the restart, ${duplicates} duplicates` +
			`${twice.map((accountId) => `; ${accountId} received at ${receivedAt(accountId).join(' and ')} after n8n was up again`).join('')}); ` +
			`executions: ${[...executions.reduce((map, e) => map.set(e.status, (map.get(e.status) ?? 0) + 1), new Map<string, number>())].map(([status, n]) => `${n} ${status}`).join(', ')}`,
	);
	// Every acknowledged crossing reached an execution…
	expect(new Set(byAccount.keys())).toEqual(acknowledged);
	// …once or more, always as the account's first crossing: a duplicate carries the same fireId.
	for (const [accountId, fireIds] of byAccount) expect(new Set(fireIds)).toEqual(new Set([`${accountId}:1`]));
	// Nobody fired for a crossing it did not make (the quiet accounts never reached 3).
	for (const accountId of quiet) expect(byAccount.has(accountId)).toBe(false);
	expect(all.every((item) => item.score === 3)).toBe(true);
});

test('SIGTERM mid-stream: the stored counts are the acknowledged events', async () => {
	const { url, workflowId } = deployed.stop;
	const accounts = Array.from({ length: STREAM_ACCOUNTS }, (_, i) => `term-${RUN}-${i}`);
	const acks: Ack[] = [];
	const sent = new Map<string, number>();
	let stopping = false;
	let turn = 0;
	const sender = async () => {
		for (;;) {
			const accountId = accounts[turn++ % accounts.length];
			sent.set(accountId, (sent.get(accountId) ?? 0) + 1);
			const ack = await send(url, accountId);
			acks.push(ack);
			// Steady until n8n stops answering (it closes its server while it shuts down).
			if (ack.status !== 200 && stopping) return;
			if (ack.status !== 200) throw new Error(`the stream got ${ack.status} before the stop`);
		}
	};
	const senders = Array.from({ length: STREAM_SENDERS }, sender);
	await new Promise((resolve) => setTimeout(resolve, STREAM_BEFORE_STOP_MS));
	stopping = true;
	const stopAt = Date.now();
	await instance.terminate();
	const stoppedAt = Date.now();
	await Promise.all(senders);
	await instance.start();

	const saved = await readSavedState(instance.n8n, workflowId);
	expect(saved).toBeDefined();
	const stored = new Map(saved!.accounts.map((account) => [account.id, account.eventCounts.login ?? 0]));
	const ok = acks.filter((ack) => ack.status === 200 && ack.accepted === 1);
	const acked = new Map<string, number>();
	for (const ack of ok) acked.set(ack.accountId, (acked.get(ack.accountId) ?? 0) + 1);
	const total = (map: Map<string, number>) => [...map.values()].reduce((sum, n) => sum + n, 0);
	const lastSaveBeforeStop = ok.filter((ack) => ack.at < saved!.savedAt && ack.at < stopAt).length;
	const refused = acks.filter((ack) => ack.status === 503).length;
	console.log(
		`SIGTERM after ${ok.length} acknowledged events (${ok.filter((ack) => ack.at >= stopAt).length} acknowledged after the signal; ` +
			`n8n gone ${stoppedAt - stopAt} ms after it); last snapshot saved ${saved!.savedAt - stopAt} ms after the signal; ` +
			`stored ${total(stored)} (${lastSaveBeforeStop} acknowledged before the last save); ${refused} answered 503 while stopping`,
	);
	for (const accountId of accounts) {
		// Nothing acknowledged is lost, and an event is never counted twice.
		expect({ accountId, count: stored.get(accountId) ?? 0 }).toEqual({ accountId, count: acked.get(accountId) ?? 0 });
		expect(stored.get(accountId) ?? 0).toBeLessThanOrEqual(sent.get(accountId) ?? 0);
	}
	// More than one Save State Every window of events: the periodic save alone would have lost some.
	expect(ok.length).toBeGreaterThan(SAVE_EVERY_SECONDS * 2);
	expect(saved!.savedAt).toBeGreaterThanOrEqual(stopAt);
});
