/**
 * The shared store on n8n's queue mode, scaled out (test/helpers/n8nQueue.ts): two webhook processes
 * (`n8n webhook`) take the events, a worker runs the executions, the main only registers the workflow;
 * the trigger keeps its state in Redis through the Upstash REST protocol (test/helpers/upstashBridge.ts
 * in front of the test Redis), so every process sees the same per-account state.
 *
 * 10,000 events (+200 retried deliveries) for 500 accounts over 200 connections, sent to both webhook
 * processes at once (test/helpers/queueScenario.ts). When 40% of the deliveries have been sent, webhook
 * process 1 is killed (SIGKILL): its senders see connection errors and retry against process 2, as
 * PostHog's destination would. Checked: every delivery ends 200; per-account counts in the store exact;
 * each crossing fired exactly once, on the worker; nothing lost.
 *
 * The trigger's contract used here: parameter `stateStore: "redisRest"`, credential type `pqlRedisRestApi`
 * with `url`, `token` and `keyPrefix`; the option `settings.redisNamespace`.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AccountDoc } from '../../nodes/engine/state/docs';
import { startHttpSink, type HttpSink } from '../helpers/httpSink';
import { sendConcurrently, type PreparedRequest } from '../helpers/loadSender';
import { startN8nQueue, type N8nQueueCluster } from '../helpers/n8nQueue';
import { ensureN8nInstalled } from '../helpers/n8nServer';
import { buildAndPackPql } from '../helpers/pqlPackage';
import { createCredential, deployTriggerWorkflow, type DeployedTrigger } from '../helpers/pqlWorkflows';
import {
	ACCOUNTS,
	answerTotals,
	CONCURRENCY,
	countMismatches,
	deliveryHeaders,
	expectEachCrossingFiredOnceOnTheWorker,
	EVENTS,
	load,
	mustFire,
	reportLine,
	RETRIES,
	RULES_JSON,
	SECRET,
	SECRET_HEADER,
} from '../helpers/queueScenario';
import type { RedisClient } from '../helpers/resp/redisClient';
import { testRedis, testRedisClient } from '../helpers/testRedis';
import { startUpstashBridge, type UpstashBridge } from '../helpers/upstashBridge';

jest.setTimeout(10 * 60_000);

const SINK_PATH = '/sink/queue-shared-store';
const RUN = randomUUID().slice(0, 8);
const KEY_PREFIX = `pql-e2e-${RUN}:`;
const NAMESPACE = `queue-${RUN}`;
const TOKEN = `queue-e2e-${randomUUID()}`;
/** Webhook process 1 is killed when this share of the deliveries has been sent. */
const KILL_AT = Math.floor(load.deliveries.length * 0.4);
const MAX_ATTEMPTS = 10;

/**
 * The account's state as the shared store keeps it. The key layout is the store's (nodes/engine/state,
 * restStore.ts): a Redis hash at `<keyPrefix>{<namespace>}:acct:<accountId>` whose field `d` is the
 * AccountDoc JSON. Every event of this load names its account, so its counts are the named activity's.
 */
interface StoredAccount {
	eventCounts: Record<string, number>;
	firedCount: number;
}

async function storedAccountState(redis: RedisClient, accountId: string): Promise<StoredAccount | undefined> {
	const json = (await redis.command(['HGET', `${KEY_PREFIX}{${NAMESPACE}}:acct:${accountId}`, 'd'])) as string | null;
	if (json === null) return undefined;
	const doc = JSON.parse(json) as AccountDoc;
	return { eventCounts: doc.named.eventCounts, firedCount: doc.crossing?.firedCount ?? 0 };
}

let cluster: N8nQueueCluster;
let bridge: UpstashBridge;
let sink: HttpSink;
let packDir: string;
let trigger: DeployedTrigger;

beforeAll(async () => {
	ensureN8nInstalled();
	packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pql-e2e-pack-'));
	bridge = await startUpstashBridge({ redis: testRedis(), token: TOKEN });
	const started = Date.now();
	cluster = await startN8nQueue({ packageTarball: buildAndPackPql(packDir), webhookProcesses: 2, expressionEngine: 'legacy' });
	console.log(`queue mode (main + 2 webhook processes + worker) ready in ${((Date.now() - started) / 1000).toFixed(1)} s, database ${cluster.database}`);
	sink = await startHttpSink();
	const secret = await createCredential(cluster, 'pqlWebhookSecretApi', 'PostHog secret (queue e2e)', { headerName: SECRET_HEADER, secret: SECRET });
	const store = await createCredential(cluster, 'pqlRedisRestApi', 'Shared store (queue e2e)', { url: bridge.url, token: TOKEN, keyPrefix: KEY_PREFIX });
	trigger = await deployTriggerWorkflow(cluster, {
		name: 'PQL e2e: queue mode, shared store',
		parameters: { authentication: 'sharedSecretHeader', stateStore: 'redisRest', rulesSource: 'json', rulesJson: RULES_JSON, settings: { redisNamespace: NAMESPACE, checkEverySeconds: 1 } },
		credentials: { pqlWebhookSecretApi: secret, pqlRedisRestApi: store },
		sinkUrl: sink.url(SINK_PATH),
	});
}, 15 * 60_000);

afterAll(async () => {
	await sink?.close();
	await cluster?.stop();
	if (bridge) {
		const redis = testRedisClient();
		const keys = (await redis.command(['KEYS', `${KEY_PREFIX}*`])) as string[];
		if (keys.length > 0) await redis.command(['DEL', ...keys]);
		await redis.close();
		await bridge.close();
	}
	if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
});

test(`shared store, 2 webhook processes, one killed mid-stream: ${EVENTS} events (+${RETRIES} retries) for ${ACCOUNTS} accounts over ${CONCURRENCY} connections`, async () => {
	const urls = cluster.webhooks.map((webhook) => `${webhook.baseUrl}/webhook/${trigger.webhookPath}`);
	const request = (index: number, url: string): PreparedRequest => ({ url, headers: deliveryHeaders(), body: load.deliveries[index].body });
	let killed: Promise<void> | undefined;
	const report = await sendConcurrently(
		load.deliveries.length,
		(index) => {
			if (index === KILL_AT) killed = cluster.webhooks[0].kill();
			return request(index, urls[index % 2]);
		},
		{
			concurrency: CONCURRENCY,
			// A connection error or a 5xx: the sender retries against the other webhook process.
			retry: (index, failed, attempt) =>
				attempt < MAX_ATTEMPTS && (failed.status === 0 || failed.status >= 500)
					? { request: request(index, urls[(index + attempt) % 2]), delayMs: 50 * attempt }
					: undefined,
		},
	);
	await killed;
	console.log(reportLine('queue mode, shared store, webhook process 1 killed', report) + `; bridge ${JSON.stringify(bridge.stats)}`);
	expect(cluster.webhooks[0].running).toBe(false);
	expect(report.retries).toBeGreaterThan(0); // the kill really broke requests in flight
	expect(report.firstFailure).toBeUndefined();
	// An answer lost with the killed process makes its retry a duplicate: every delivery is answered once.
	const totals = answerTotals(report);
	expect(totals.accepted + totals.duplicates).toBe(load.deliveries.length);

	// What the store holds first: it tells a lost event from a crossing that was decided but never ran.
	const redis = testRedisClient();
	const states = new Map<string, StoredAccount | undefined>();
	try {
		for (const accountId of load.counts.keys()) states.set(accountId, await storedAccountState(redis, accountId));
	} finally {
		await redis.close();
	}
	expect(countMismatches(new Map([...states].map(([accountId, state]) => [accountId, state?.eventCounts])))).toEqual([]);
	const firedInStore = [...states].filter(([, state]) => (state?.firedCount ?? 0) > 0).map(([accountId]) => accountId);
	expect(firedInStore.sort()).toEqual(mustFire);

	await expectEachCrossingFiredOnceOnTheWorker(cluster, sink, SINK_PATH, trigger.workflowId);
});
