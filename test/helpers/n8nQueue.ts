/**
 * A real n8n 2.40 in queue mode (n8n's own distributed engine) for end-to-end tests:
 *   - main (`n8n start`): editor, REST APIs, trigger/webhook registration; optionally production webhooks;
 *   - N webhook processes (`n8n webhook`, each its own N8N_PORT): production webhooks only;
 *   - one worker (`n8n worker`): runs every execution, pulled from the Bull queue in Redis.
 * They share EXECUTIONS_MODE=queue, a fresh PostgreSQL database (DB_TYPE=postgresdb, dropped at stop),
 * the tests' Redis (test/helpers/testRedis.ts) under key prefixes of this run, and one N8N_ENCRYPTION_KEY.
 * Each process has its own user folder with the packed community package (installed once with npm,
 * copied to the others) and its own task-runner broker port.
 *
 * Built from the pieces of test/helpers/n8nServer.ts (processes, env, REST client).
 */
import { randomBytes, randomUUID } from 'crypto';
import * as path from 'path';
import {
	createUserFolder,
	freePort,
	keepUserFolders,
	N8N_E2E_DIR,
	n8nApiClient,
	n8nEnv,
	n8nInstalled,
	N8nProcess,
	OWNER_ENV,
	removeUserFolder,
	type N8nCommand,
	type N8nWorkflowApi,
} from './n8nServer';
import { RedisClient } from './resp/redisClient';
import { testRedis } from './testRedis';
import { createTestDatabase, dropTestDatabase, queryTestDatabase, testPostgres } from './testPostgres';

export interface StartN8nQueueOptions {
	packageTarball: string;
	/** `n8n webhook` processes; default 0 (then the main process answers the production webhooks). */
	webhookProcesses?: number;
	/** Whether the main process answers production webhooks too; default: only when there are no webhook processes. */
	mainHandlesWebhooks?: boolean;
	expressionEngine?: 'vm' | 'legacy';
	/** Extra env for every process. */
	env?: Record<string, string>;
	/** ms to wait for each process to be ready; default 180 s (a fresh database is migrated at the first start). */
	startTimeoutMs?: number;
	keepUserFolder?: boolean;
}

/** One process of the cluster. Webhook processes and the main have an HTTP port; the worker has none. */
export interface QueueProcess {
	readonly name: string;
	readonly command: N8nCommand;
	/** `http://127.0.0.1:<port>` (empty for the worker). */
	readonly baseUrl: string;
	readonly running: boolean;
	/** Starts it again after stop() or kill(), same folder and port. */
	start(): Promise<void>;
	stop(): Promise<void>;
	/** SIGKILL now, as a crash: requests in flight break, nothing is saved. */
	kill(): Promise<void>;
	log(): string;
	logTail(lines?: number): string;
}

export interface StoredExecution {
	id: string;
	status: string;
	finished: boolean;
	mode: string;
}

export interface N8nQueueCluster extends N8nWorkflowApi {
	/** The main process's URL (REST APIs; production webhooks when it serves them). */
	baseUrl: string;
	main: QueueProcess;
	webhooks: QueueProcess[];
	worker: QueueProcess;
	database: string;
	/** Ids of the executions the worker finished (its log: "Worker finished execution <id> (job <n>)"). */
	workerExecutionIds(): Set<string>;
	/** Ids of the executions the main and webhook processes put on the queue ("Enqueued execution <id> (job <n>)"). */
	enqueuedExecutionIds(): Set<string>;
	/**
	 * The workflow's executions as n8n's database holds them. Not n8n's execution list: that leaves out
	 * what the main's in-memory bookkeeping still counts as running, and under load the main misses the
	 * completion of some queued executions (seen: 16 of 51 hidden for minutes, all saved as success).
	 */
	storedExecutions(workflowId: string): StoredExecution[];
	/** The last lines of every process's log, for failure messages. */
	logTails(lines?: number): string;
	/** Stops every process, removes this run's Redis keys, and drops the database and the user folders (kept with N8N_E2E_KEEP=1). */
	stop(): Promise<void>;
}

/** n8n 2.40's log lines (scaling/job-processor.js, scaling/scaling.service.js). */
const FINISHED_ON_WORKER = /Worker finished execution (\d+)/g;
const ENQUEUED = /Enqueued execution (\d+)/g;

function ids(logs: string[], pattern: RegExp): Set<string> {
	return new Set(logs.flatMap((log) => [...log.matchAll(pattern)].map((match) => match[1])));
}

export async function startN8nQueue(options: StartN8nQueueOptions): Promise<N8nQueueCluster> {
	if (!n8nInstalled()) throw new Error(`n8n is not installed in ${N8N_E2E_DIR}: run \`bash tools/n8n/install.sh\` first`);
	const keep = keepUserFolders(options);
	const startTimeoutMs = options.startTimeoutMs ?? 180_000;
	const webhookCount = options.webhookProcesses ?? 0;
	const run = randomUUID().replace(/-/g, '').slice(0, 10);
	const redis = testRedis();
	const postgres = testPostgres();
	const database = createTestDatabase('pql_e2e_queue', postgres);
	const queuePrefix = `pql-e2e-${run}-bull`;
	const redisPrefix = `pql-e2e-${run}-n8n`;
	const folders: string[] = [];
	const processes: QueueProcess[] = [];

	const shared: Record<string, string> = {
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: '',
		// n8n pings its database every 2 s through the connection pool and, when one ping takes over
		// DB_PING_TIMEOUT_MS (5 s), answers every request 503 "Database is not ready!" until a ping gets
		// through. Under 200 concurrent webhook requests (each loads the workflow from the database) on a
		// busy machine, the default pool of 2 connections and the 5 s timeout do exactly that.
		DB_POSTGRESDB_POOL_SIZE: '20',
		DB_PING_TIMEOUT_MS: '30000',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		QUEUE_BULL_PREFIX: queuePrefix, // the queue's keys, and
		N8N_REDIS_KEY_PREFIX: redisPrefix, // pub/sub channels and cache: separate from any other run on this Redis
		N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		...(options.expressionEngine ? { N8N_EXPRESSION_ENGINE: options.expressionEngine } : {}),
	};

	async function queueProcess(name: string, command: N8nCommand, extraEnv: Record<string, string>, nodesFrom?: string): Promise<QueueProcess> {
		const userFolder = createUserFolder(nodesFrom ? { nodesFrom, keep } : { packageTarball: options.packageTarball, keep });
		folders.push(userFolder);
		const port = command === 'worker' ? 0 : await freePort();
		const baseUrl = port ? `http://127.0.0.1:${port}` : '';
		const process_ = new N8nProcess({
			command,
			userFolder,
			env: {
				...n8nEnv({ userFolder, port: port || (await freePort()), brokerPort: await freePort() }),
				...shared,
				...(baseUrl ? { WEBHOOK_URL: `${baseUrl}/` } : {}),
				...extraEnv,
				...(options.env ?? {}),
			},
			logFile: path.join(userFolder, `n8n-${name}.log`),
			readinessUrl: baseUrl ? `${baseUrl}/healthz/readiness` : undefined,
			startTimeoutMs,
		});
		const handle: QueueProcess = {
			name,
			command,
			baseUrl,
			get running() {
				return process_.running;
			},
			start: () => process_.start(),
			stop: () => process_.stop(),
			kill: () => process_.kill(),
			log: () => process_.log(),
			logTail: (lines) => process_.logTail(lines),
		};
		processes.push(handle);
		return handle;
	}

	const logTails = (lines = 20) => processes.map((p) => `--- n8n ${p.name} ---\n${p.logTail(lines)}`).join('\n');
	const fail = (message: string) => new Error(`${message}\n${logTails()}`);

	async function stop(): Promise<void> {
		// Webhook processes and the worker first, so nothing is left half-done when the main goes.
		await Promise.all(processes.filter((p) => p.command !== 'start').map((p) => p.stop()));
		await Promise.all(processes.filter((p) => p.command === 'start').map((p) => p.stop()));
		if (keep) console.log(`n8nQueue: kept database ${database} and user folders ${folders.join(' ')}`);
		else dropTestDatabase(database, postgres);
		await deleteKeys([`${queuePrefix}:*`, `${redisPrefix}:*`]);
		if (!keep) folders.forEach(removeUserFolder);
	}

	try {
		const mainHandlesWebhooks = options.mainHandlesWebhooks ?? webhookCount === 0;
		const main = await queueProcess('main', 'start', {
			...OWNER_ENV,
			...(mainHandlesWebhooks ? {} : { N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' }),
		});
		await main.start(); // migrates the fresh database; the others need it
		const mainFolder = folders[0];
		const webhooks: QueueProcess[] = [];
		for (let i = 0; i < webhookCount; i++) webhooks.push(await queueProcess(`webhook-${i + 1}`, 'webhook', {}, mainFolder));
		const worker = await queueProcess('worker', 'worker', {}, mainFolder);
		await Promise.all([...webhooks, worker].map((p) => p.start()));

		const client = n8nApiClient(main.baseUrl, mainFolder, fail);
		await client.connect();
		const { connect: _connect, reconnect: _reconnect, ...workflowApi } = client;
		return {
			...workflowApi,
			baseUrl: main.baseUrl,
			main,
			webhooks,
			worker,
			database,
			workerExecutionIds: () => ids([worker.log()], FINISHED_ON_WORKER),
			enqueuedExecutionIds: () => ids([main, ...webhooks].map((p) => p.log()), ENQUEUED),
			storedExecutions: (workflowId) =>
				queryTestDatabase(database, `SELECT id, status, finished, mode FROM execution_entity WHERE "workflowId" = '${workflowId.replace(/'/g, "''")}' ORDER BY id`, postgres).map(
					([id, status, finished, mode]) => ({ id, status, finished: finished === 't', mode }),
				),
			logTails,
			stop,
		};
	} catch (error) {
		const message = `${(error as Error).message}`;
		await stop().catch(() => undefined);
		throw message.includes('--- n8n') || message.includes('--- tail of') ? error : fail(message);
	}

	async function deleteKeys(patterns: string[]): Promise<void> {
		const client = new RedisClient(redis);
		try {
			for (const pattern of patterns) {
				let cursor = '0';
				do {
					const [next, keys] = (await client.command(['SCAN', cursor, 'MATCH', pattern, 'COUNT', 1000])) as [string, string[]];
					if (keys.length > 0) await client.command(['DEL', ...keys]);
					cursor = next;
				} while (cursor !== '0');
			}
		} finally {
			await client.close();
		}
	}
}
