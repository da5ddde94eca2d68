/**
 * npm run bench:trigger:scale — the scale series of issue 11 in one run, in a real n8n 2.40
 * (tools/n8n/install.sh; SQLite, N8N_EXPRESSION_ENGINE=legacy, template workflow, preset rules,
 * shared-secret header, Save State Every 5 s):
 *
 * built-in store — for each size (BENCH_SCALE_SIZES, default 500,10000,50000,100000) a snapshot of
 *   that many accounts (2 PostHog events each) is built offline with the engine (MemoryStateStore +
 *   ingestEvents, maxAccounts large enough) and put into the workflow's static data
 *   (`node:<trigger name>` → `pqlState`) when the workflow is created; a fresh n8n per size. Then
 *   BENCH_SCALE_REQUESTS (1,000) single-event requests for existing accounts at 50 concurrent senders
 *   (capped at BENCH_SCALE_BUDGET_SECONDS per size), while n8n's /healthz/readiness is probed every
 *   second. The workflow keeps Max Accounts at its default (10,000): past it, a few events of NEW
 *   accounts are sent too, to show they are refused (507 + reason) while existing ones still count.
 * shared store — Redis over REST (test/helpers/upstashBridge.ts in front of PQL_TEST_REDIS or
 *   127.0.0.1:6379), accounts prefilled directly in Redis in the store's layout
 *   (`<prefix>{<ns>}:acct:<id>` / `:user:<id>` hashes with fields v, d; `:due` sorted set), sizes
 *   BENCH_SCALE_SHARED_SIZES (default 1000,1000000); the same load; the keys are removed afterwards.
 *
 * Diagnostics: BENCH_SAVE_EVERY sets Save State Every (seconds, default 5); BENCH_N8N_NODE_OPTIONS is
 * passed to n8n as NODE_OPTIONS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile n8n itself).
 *
 * Prints one table; a benchmark reports, it does not fail.
 */
import { execFileSync } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { tryNormalizeEvent, type PqlEvent } from '../../nodes/engine/events';
import { DEFAULT_MAX_ACCOUNTS, MemoryStateStore } from '../../nodes/engine/state/memoryStore';
import { ingestEvents } from '../../nodes/engine/stream';
import { readTriggerSettings } from '../../nodes/PqlThresholdTrigger/settings';
import { startHttpSink, type HttpSink } from '../../test/helpers/httpSink';
import { ensureN8nInstalled, httpRequest, REPO_ROOT, startN8n, type N8nInstance } from '../../test/helpers/n8nServer';
import { accountName, postHogDestinationBody } from '../../test/helpers/postHogLoad';
import { buildAndPackPql } from '../../test/helpers/pqlPackage';
import { createCredential, TRIGGER_NODE_NAME, TRIGGER_WEBHOOK_PATH, triggerToHttpWorkflow } from '../../test/helpers/pqlWorkflows';
import { RedisClient } from '../../test/helpers/resp/redisClient';
import { parseRedisAddress } from '../../test/helpers/testRedis';
import { startUpstashBridge } from '../../test/helpers/upstashBridge';

const sizes = (text: string) => text.split(',').map((part) => Number(part.trim())).filter((n) => n > 0);
const SIZES = sizes(process.env.BENCH_SCALE_SIZES ?? '500,10000,50000,100000');
const SHARED_SIZES = sizes(process.env.BENCH_SCALE_SHARED_SIZES ?? '1000,1000000');
const REQUESTS = Number(process.env.BENCH_SCALE_REQUESTS ?? 1000);
const BUDGET_MS = Number(process.env.BENCH_SCALE_BUDGET_SECONDS ?? 120) * 1000;
const CONCURRENCY = 50;
const NEW_ACCOUNT_PROBES = 10;
/** Requests before each measured load (5 senders), not counted. */
const WARMUP = 20;
const SECRET_HEADER = 'X-PQL-Secret';
const SECRET = 'bench-scale-secret';
const EVENT_NAMES = ['user_logged_in', 'core_feature_used', '$pageview', 'api_call', 'dashboard_created'];
const SAVE_EVERY_SECONDS = Number(process.env.BENCH_SAVE_EVERY ?? 5);
const DAY = 24 * 3600_000;
const RUN = randomUUID().slice(0, 8);

/** The template trigger's parameters as the bench deploys them. */
function triggerParameters(extra: Record<string, unknown> = {}, settings: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		authentication: 'sharedSecretHeader',
		fireOn: 'threshold',
		cooldownDays: 7,
		hysteresis: 10,
		rulesSource: 'preset',
		...extra,
		settings: { saveEverySeconds: SAVE_EVERY_SECONDS, ...settings },
	};
}

function eventBody(accountIndex: number, user: number, timestamp: number, salt: number): { uuid: string; body: object } {
	const uuid = `${RUN}-${accountIndex}-${user}-${salt}-${randomUUID().slice(0, 8)}`;
	return { uuid, body: postHogDestinationBody({ uuid, name: EVENT_NAMES[(accountIndex + salt) % EVENT_NAMES.length], accountIndex, user, timestamp }) };
}

function normalized(body: object): PqlEvent {
	const event = tryNormalizeEvent(body, 'auto', {});
	if (typeof event === 'string') throw new Error(`bench event not recognised: ${event}`);
	return event;
}

/** The engine, offline: `accounts` accounts with 2 events each (users 0 and 1), as the trigger would hold them. */
function buildStore(accounts: number, now: number): MemoryStateStore {
	const parameters = triggerParameters();
	const read = (name: string, fallback: unknown) => (name in parameters ? parameters[name] : fallback);
	const settings = readTriggerSettings(read, JSON.stringify(parameters));
	const store = new MemoryStateStore({ maxAccounts: accounts + 1, now: () => now });
	for (let index = 0; index < accounts; index++) {
		const events = [0, 1].map((user) => normalized(eventBody(index, user, now - ((index * 7919 + user * 3600_000) % (3 * DAY)), 0).body));
		store.transactNow((tx) => ingestEvents(tx, settings, events, now));
	}
	return store;
}

interface LoadResult {
	sent: number;
	seconds: number;
	perSecond: number;
	p50: number;
	p99: number;
	statuses: Map<number, number>;
	fired: number;
	firstOther?: string;
	cappedByBudget: boolean;
	/** /healthz/readiness probes during the load that did not answer 200 within 2 s. */
	unhealthy: number;
	probes: number;
	/** The machine's 1-minute load average at the end (the bench shares its CPUs with whatever else runs). */
	loadAverage: number;
}

function percentile(sorted: number[], p: number): number {
	return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** `count` single-event requests for existing accounts at CONCURRENCY senders, stopping new sends after BUDGET_MS. */
async function drive(n8n: N8nInstance, url: string, accounts: number, count = REQUESTS, concurrency = CONCURRENCY, salt = 1): Promise<LoadResult> {
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	const latencies: number[] = [];
	const statuses = new Map<number, number>();
	let fired = 0;
	let firstOther: string | undefined;
	let next = 0;
	const started = Date.now();
	const deadline = started + BUDGET_MS;
	let probing = true;
	let unhealthy = 0;
	let probes = 0;
	const probe = (async () => {
		while (probing) {
			probes++;
			try {
				if ((await httpRequest(`${n8n.baseUrl}/healthz/readiness`, { timeoutMs: 2000 })).status !== 200) unhealthy++;
			} catch {
				unhealthy++;
			}
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
	})();
	const sender = async () => {
		while (next < count && Date.now() < deadline) {
			const index = next++;
			// Existing accounts only, spread over the whole state; users 0-1 are known, 2-3 new members.
			const accountIndex = (index * 104729 + 17) % accounts;
			const { body } = eventBody(accountIndex, index % 4, Date.now() - 60_000, salt * 1_000_000 + index);
			const sentAt = process.hrtime.bigint();
			let status = 0;
			let text = '';
			try {
				const answer = await httpRequest(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json', [SECRET_HEADER]: SECRET },
					body: JSON.stringify(body),
					agent,
					timeoutMs: 120_000,
				});
				status = answer.status;
				text = answer.body;
			} catch (error) {
				text = (error as Error).message;
			}
			latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
			statuses.set(status, (statuses.get(status) ?? 0) + 1);
			if (status === 200) {
				try {
					fired += Number((JSON.parse(text) as { fired?: number }).fired ?? 0);
				} catch {
					/* not JSON */
				}
			} else firstOther ??= `${status} ${text.slice(0, 200)}`;
		}
	};
	await Promise.all(Array.from({ length: concurrency }, sender));
	const seconds = (Date.now() - started) / 1000;
	probing = false;
	await probe;
	agent.destroy();
	latencies.sort((a, b) => a - b);
	return {
		sent: latencies.length,
		seconds,
		perSecond: latencies.length / seconds,
		p50: percentile(latencies, 0.5),
		p99: percentile(latencies, 0.99),
		statuses,
		fired,
		firstOther,
		cappedByBudget: latencies.length < count,
		loadAverage: os.loadavg()[0],
		unhealthy,
		probes,
	};
}

interface Row {
	store: 'built-in' | 'shared';
	accounts: number;
	bytesPerAccount?: number;
	stateMb?: number;
	/** Undefined when the size could not be measured (see `note`). */
	load?: LoadResult;
	note: string;
}

/** What n8n logged last, on one line (for a size whose set-up failed). */
function lastLogLines(n8n: N8nInstance): string {
	return n8n
		.logTail(40)
		.split('\n')
		.filter((line) => /error|fail|heap|memory|killed|payload|too large/i.test(line))
		.slice(-3)
		.join(' | ')
		.slice(0, 400);
}

/** Answers 200 per second: a fast 503 is not throughput. */
const okPerSecond = (load: LoadResult) => (load.statuses.get(200) ?? 0) / load.seconds;

const otherThan200 = (load: LoadResult) =>
	[...load.statuses].filter(([status]) => status !== 200).map(([status, n]) => `${n} × ${status === 0 ? 'no answer' : status}`).join(', ') || '0';

function printLoad(label: string, load: LoadResult): void {
	console.log(
		`  ${label}: ${load.sent} requests in ${load.seconds.toFixed(1)} s → ${load.perSecond.toFixed(1)}/s (200 answers: ${okPerSecond(load).toFixed(1)}/s), p50 ${load.p50.toFixed(0)} ms, p99 ${load.p99.toFixed(0)} ms, ` +
			`other than 200: ${otherThan200(load)}${load.firstOther ? ` (first: ${load.firstOther})` : ''}, fired ${load.fired}, ` +
			`readiness probes failed ${load.unhealthy}/${load.probes}, load average ${load.loadAverage.toFixed(1)}${load.cappedByBudget ? `, STOPPED at the ${BUDGET_MS / 1000} s budget` : ''}`,
	);
}

async function deployWithState(n8n: N8nInstance, sink: HttpSink, parameters: Record<string, unknown>, credentials: Record<string, { id: string; name: string }>, staticState?: string): Promise<string> {
	const { workflow, webhookId } = triggerToHttpWorkflow({ name: `bench scale ${RUN}`, parameters, credentials, sinkUrl: sink.url('/sink/scale') });
	const staticData = staticState === undefined ? undefined : { [`node:${TRIGGER_NODE_NAME}`]: { pqlState: staticState } };
	const workflowId = await n8n.importWorkflow({ ...workflow, ...(staticData ? { staticData } : {}) });
	await n8n.activateWorkflow(workflowId, 300_000);
	return `${n8n.baseUrl}/webhook/${n8n.webhookPath(workflowId, { name: TRIGGER_NODE_NAME, webhookId }, TRIGGER_WEBHOOK_PATH)}`;
}

const N8N_ENV: Record<string, string> = { N8N_EXPRESSION_ENGINE: 'legacy', N8N_PAYLOAD_SIZE_MAX: '512', ...(process.env.BENCH_N8N_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_N8N_NODE_OPTIONS } : {}) };

async function benchBuiltIn(tarball: string, accounts: number): Promise<Row> {
	const now = Date.now();
	let t = Date.now();
	const store = buildStore(accounts, now);
	const snapshot = store.snapshot();
	const bytesPerAccount = Buffer.byteLength(snapshot) / accounts;
	console.log(`\nbuilt-in, ${accounts} accounts: snapshot ${(Buffer.byteLength(snapshot) / 1e6).toFixed(1)} MB (${bytesPerAccount.toFixed(0)} B/account, ${store.accountIds().length} accounts) built in ${((Date.now() - t) / 1000).toFixed(1)} s`);
	t = Date.now();
	const n8n = await startN8n({ packageTarball: tarball, env: N8N_ENV });
	const sink = await startHttpSink();
	try {
		const credential = await createCredential(n8n, 'pqlWebhookSecretApi', 'Bench secret', { headerName: SECRET_HEADER, secret: SECRET });
		let url: string;
		try {
			url = await deployWithState(n8n, sink, triggerParameters(), { pqlWebhookSecretApi: credential }, snapshot);
		} catch (error) {
			const note = `workflow with this state could not be created/activated: ${(error as Error).message.split('\n')[0].slice(0, 200)}; n8n log: ${lastLogLines(n8n) || '(nothing)'}`;
			console.log(`  ${note}`);
			return { store: 'built-in', accounts, bytesPerAccount, stateMb: Buffer.byteLength(snapshot) / 1e6, note };
		}
		console.log(`  n8n up and workflow active in ${((Date.now() - t) / 1000).toFixed(1)} s`);
		printLoad('warm-up', await drive(n8n, url, accounts, WARMUP, 5, 0));
		const load = await drive(n8n, url, accounts);
		printLoad('load', load);
		let note = '';
		const alive = await httpRequest(`${n8n.baseUrl}/healthz`, { timeoutMs: 5000 }).then(
			() => true,
			() => false,
		);
		if (!alive) {
			note = `n8n died during the load; its log: ${lastLogLines(n8n) || '(nothing)'}`;
			console.log(`  ${note}`);
		} else if (accounts >= DEFAULT_MAX_ACCOUNTS) {
			// Max Accounts at its default: new accounts are refused, existing ones (the load above) still count.
			const answers: string[] = [];
			for (let probe = 0; probe < NEW_ACCOUNT_PROBES; probe++) {
				const { body } = eventBody(accounts + 1000 + probe, 0, Date.now() - 60_000, 1);
				const answer = await httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', [SECRET_HEADER]: SECRET }, body: JSON.stringify(body), timeoutMs: 120_000 });
				answers.push(`${answer.status}`);
				if (probe === 0) console.log(`  a NEW account past the cap (${DEFAULT_MAX_ACCOUNTS}): ${answer.status} ${answer.body.slice(0, 400)}`);
			}
			const counts = answers.reduce((map, status) => map.set(status, (map.get(status) ?? 0) + 1), new Map<string, number>());
			note = `new accounts: ${[...counts].map(([status, n]) => `${n} × ${status}`).join(', ')}`;
		}
		return { store: 'built-in', accounts, bytesPerAccount, stateMb: Buffer.byteLength(snapshot) / 1e6, load, note };
	} finally {
		await sink.close();
		await n8n.stop();
	}
}

/** Documents of one account (and its 2 users) as the shared store writes them, with `TPLACCT` for the account id. */
function sharedTemplate(now: number): { account: string; users: Array<[suffix: string, json: string]>; dueAt: number | undefined } {
	const store = buildStore(1, now);
	const id = accountName(0);
	const doc = store.peekAccount(id)!;
	const swap = (json: string) => json.split(id).join('TPLACCT');
	const users = [0, 1].map((user): [string, string] => [`-user-${user}`, swap(JSON.stringify(store.peekUser(`${id}-user-${user}`)))]);
	return { account: swap(JSON.stringify(doc)), users, dueAt: doc.dueAt };
}

async function prefillRedis(redis: RedisClient, base: string, accounts: number, now: number): Promise<number> {
	const template = sharedTemplate(now);
	const started = Date.now();
	const BATCH = 2000;
	for (let from = 0; from < accounts; from += BATCH) {
		const pending: Array<Promise<unknown>> = [];
		for (let index = from; index < Math.min(accounts, from + BATCH); index++) {
			const id = accountName(index);
			pending.push(redis.command(['HSET', `${base}:acct:${id}`, 'v', '1', 'd', template.account.split('TPLACCT').join(id)]));
			for (const [suffix, json] of template.users) pending.push(redis.command(['HSET', `${base}:user:${id}${suffix}`, 'v', '1', 'd', json.split('TPLACCT').join(id)]));
			if (template.dueAt !== undefined) pending.push(redis.command(['ZADD', `${base}:due`, String(template.dueAt), id]));
		}
		await Promise.all(pending);
	}
	return (Date.now() - started) / 1000;
}

async function removeKeys(redis: RedisClient, pattern: string): Promise<number> {
	let cursor = '0';
	let removed = 0;
	do {
		const [nextCursor, keys] = (await redis.command(['SCAN', cursor, 'MATCH', pattern, 'COUNT', '20000'])) as [string, string[]];
		cursor = nextCursor;
		if (keys.length > 0) removed += Number(await redis.command(['UNLINK', ...keys]));
	} while (cursor !== '0');
	return removed;
}

async function benchShared(tarball: string): Promise<Row[]> {
	const address = parseRedisAddress(process.env.PQL_TEST_REDIS ?? '127.0.0.1:6379');
	const redis = new RedisClient(address);
	const token = `bench-scale-${randomUUID()}`;
	const bridge = await startUpstashBridge({ redis: address, token });
	const keyPrefix = `pql-bench-${RUN}:`;
	const n8n = await startN8n({ packageTarball: tarball, env: N8N_ENV });
	const sink = await startHttpSink();
	const rows: Row[] = [];
	let secret: { id: string; name: string };
	let redisCredential: { id: string; name: string };
	try {
		secret = await createCredential(n8n, 'pqlWebhookSecretApi', 'Bench secret', { headerName: SECRET_HEADER, secret: SECRET });
		redisCredential = await createCredential(n8n, 'pqlRedisRestApi', 'Bench Redis', { url: bridge.url, token, keyPrefix });
		for (const accounts of SHARED_SIZES) {
			try {
				await benchSharedSize(accounts);
			} catch (error) {
				console.log(`  shared, ${accounts} accounts: FAILED: ${(error as Error).message.slice(0, 300)}`);
				rows.push({ store: 'shared', accounts, note: `failed: ${(error as Error).message.split('\n')[0].slice(0, 200)}` });
			}
		}
	} finally {
		await sink.close();
		await n8n.stop();
		await bridge.close();
		const removed = await removeKeys(redis, `${keyPrefix}*`);
		console.log(`  removed ${removed} bench keys from Redis`);
		await redis.close();
	}
	return rows;

	async function benchSharedSize(accounts: number): Promise<void> {
		{
			const namespace = `scale-${accounts}`;
			const now = Date.now();
			const seconds = await prefillRedis(redis, `${keyPrefix}{${namespace}}`, accounts, now);
			const memory = String(await redis.command(['INFO', 'memory'])).match(/used_memory_human:(\S+)/)?.[1];
			console.log(`\nshared, ${accounts} accounts: prefilled in Redis in ${seconds.toFixed(1)} s (Redis used_memory ${memory})`);
			const url = await deployWithState(
				n8n,
				sink,
				triggerParameters({ stateStore: 'redisRest' }, { redisNamespace: namespace }),
				{ pqlWebhookSecretApi: secret, pqlRedisRestApi: redisCredential },
			);
			printLoad('warm-up', await drive(n8n, url, accounts, WARMUP, 5, 0));
			const requestsBefore = bridge.stats.requests;
			const load = await drive(n8n, url, accounts);
			printLoad('load', load);
			const perEvent = (bridge.stats.requests - requestsBefore) / load.sent;
			rows.push({ store: 'shared', accounts, load, note: `${perEvent.toFixed(1)} REST calls per request (incl. the timer's)` });
		}
	}
}

function printTable(rows: Row[]): void {
	console.log(`\nPQL Threshold Trigger at scale — n8n 2.40.7, SQLite, legacy expressions, preset rules, ${CONCURRENCY} concurrent senders, ${REQUESTS} single-event requests for existing accounts (budget ${BUDGET_MS / 1000} s per size)`);
	console.log('| store | accounts in state | snapshot | B/account | requests sent | requests/s | 200 answers/s | p50 ms | p99 ms | answers other than 200 | readiness probes failed | load avg | notes |');
	console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|');
	for (const row of rows) {
		const { load } = row;
		if (load === undefined) {
			console.log(`| ${row.store} | ${row.accounts.toLocaleString('en-US')} | ${row.stateMb === undefined ? '—' : `${row.stateMb.toFixed(1)} MB`} | ${row.bytesPerAccount?.toFixed(0) ?? '—'} | — | — | — | — | — | — | — | — | ${row.note} |`);
			continue;
		}
		console.log(
			`| ${row.store} | ${row.accounts.toLocaleString('en-US')} | ${row.stateMb === undefined ? '—' : `${row.stateMb.toFixed(1)} MB`} | ${row.bytesPerAccount === undefined ? '—' : row.bytesPerAccount.toFixed(0)} | ` +
				`${load.sent}${load.cappedByBudget ? ' (budget)' : ''} | ${load.perSecond.toFixed(1)} | ${okPerSecond(load).toFixed(1)} | ${load.p50.toFixed(0)} | ${load.p99.toFixed(0)} | ${otherThan200(load)} | ${load.unhealthy}/${load.probes} | ${load.loadAverage.toFixed(1)} | ${row.note} |`,
		);
	}
	const builtIn = rows.filter((row) => row.store === 'built-in');
	const small = builtIn.find((row) => row.accounts === Math.min(...builtIn.map((r) => r.accounts)));
	const at50k = builtIn.find((row) => row.accounts === 50_000);
	if (small?.load && at50k?.load) {
		const ratio = okPerSecond(at50k.load) / okPerSecond(small.load);
		const no503 = !at50k.load.statuses.has(503);
		console.log(`\ntargets at 50,000 accounts: no 503 ${no503 ? '✓' : '✗'}; p99 ${at50k.load.p99.toFixed(0)} ms < 1000 ${at50k.load.p99 < 1000 ? '✓' : '✗'}; 200 answers/s ${ratio.toFixed(2)} × those at ${small.accounts} (target ≥ 0.5) ${ratio >= 0.5 ? '✓' : '✗'}`);
	}
}

async function main(): Promise<void> {
	ensureN8nInstalled();
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pql-bench-scale-'));
	process.once('SIGINT', () => {
		fs.rmSync(tmp, { recursive: true, force: true });
		process.exit(130); // the helper's exit hook stops n8n
	});
	try {
		const tarball = buildAndPackPql(tmp);
		const git = (args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
		const dirty = git(['status', '--porcelain', '--', 'nodes', 'credentials']).split('\n').filter(Boolean).length;
		console.log(`package built from ${git(['rev-parse', '--short', 'HEAD'])}${dirty > 0 ? ` with ${dirty} uncommitted change(s) under nodes/ and credentials/` : ''}`);
		const rows: Row[] = [];
		for (const accounts of SIZES) {
			try {
				rows.push(await benchBuiltIn(tarball, accounts));
			} catch (error) {
				console.log(`  built-in, ${accounts} accounts: FAILED: ${(error as Error).message.slice(0, 300)}`);
				rows.push({ store: 'built-in', accounts, note: `failed: ${(error as Error).message.split('\n')[0].slice(0, 200)}` });
			}
		}
		if (SHARED_SIZES.length > 0) {
			try {
				rows.push(...(await benchShared(tarball)));
			} catch (error) {
				console.log(`  shared store: FAILED: ${(error as Error).stack?.slice(0, 600)}`);
			}
		}
		printTable(rows);
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
