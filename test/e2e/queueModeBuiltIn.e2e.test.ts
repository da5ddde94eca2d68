/**
 * The built-in store on n8n's queue mode (test/helpers/n8nQueue.ts): a main process that answers the
 * production webhooks itself (no webhook processes) and a worker that runs every execution; PostgreSQL
 * as n8n's database, Redis for the queue. The trigger's state lives in the main process, which is why
 * this is the one queue-mode setup the built-in store supports.
 *
 * 10,000 events (+200 retried deliveries) for 500 accounts over 200 connections (test/helpers/queueScenario.ts):
 * every request answered 200, per-account counts exact (the snapshot saved on deactivation), each crossing
 * fired exactly once, and every execution enqueued by the main and finished by the worker.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startHttpSink, type HttpSink } from '../helpers/httpSink';
import { sendConcurrently } from '../helpers/loadSender';
import { startN8nQueue, type N8nQueueCluster } from '../helpers/n8nQueue';
import { ensureN8nInstalled } from '../helpers/n8nServer';
import { buildAndPackPql } from '../helpers/pqlPackage';
import { createCredential, deployTriggerWorkflow, snapshotSavedAfter, type DeployedTrigger } from '../helpers/pqlWorkflows';
import {
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

jest.setTimeout(25 * 60_000);

const SINK_PATH = '/sink/queue-built-in';

let cluster: N8nQueueCluster;
let sink: HttpSink;
let packDir: string;
let trigger: DeployedTrigger;

beforeAll(async () => {
	ensureN8nInstalled();
	packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pql-e2e-pack-'));
	const started = Date.now();
	cluster = await startN8nQueue({ packageTarball: buildAndPackPql(packDir), expressionEngine: 'legacy' });
	console.log(`queue mode (main + worker) ready in ${((Date.now() - started) / 1000).toFixed(1)} s, database ${cluster.database}`);
	sink = await startHttpSink();
	const credential = await createCredential(cluster, 'pqlWebhookSecretApi', 'PostHog secret (queue e2e)', { headerName: SECRET_HEADER, secret: SECRET });
	trigger = await deployTriggerWorkflow(cluster, {
		name: 'PQL e2e: queue mode, built-in store',
		parameters: { authentication: 'sharedSecretHeader', stateStore: 'builtIn', rulesSource: 'json', rulesJson: RULES_JSON, settings: { saveEverySeconds: 5, checkEverySeconds: 1 } },
		credentials: { pqlWebhookSecretApi: credential },
		sinkUrl: sink.url(SINK_PATH),
	});
}, 15 * 60_000);

afterAll(async () => {
	await sink?.close();
	await cluster?.stop();
	if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
});

test(`built-in store, main answering webhooks: ${EVENTS} events (+${RETRIES} retries) for 500 accounts over ${CONCURRENCY} connections`, async () => {
	const report = await sendConcurrently(load.deliveries.length, (index) => ({ url: trigger.url, headers: deliveryHeaders(), body: load.deliveries[index].body }), {
		concurrency: CONCURRENCY,
	});
	console.log(reportLine('queue mode, built-in store', report));
	expect(report.firstFailure).toBeUndefined();
	expect(answerTotals(report)).toEqual({ accepted: EVENTS, duplicates: RETRIES, fired: mustFire.length });

	await expectEachCrossingFiredOnceOnTheWorker(cluster, sink, SINK_PATH, trigger.workflowId);

	// The snapshot the trigger saves when its workflow is deactivated holds every event sent.
	const deactivatedAt = Date.now();
	await cluster.deactivateWorkflow(trigger.workflowId);
	const saved = await snapshotSavedAfter(cluster, trigger.workflowId, deactivatedAt);
	expect(saved.accounts).toHaveLength(500);
	expect(countMismatches(new Map(saved.accounts.map((account) => [account.id, account.eventCounts])))).toEqual([]);
	const firedAccounts = saved.accounts.filter((account) => (account.crossing?.firedCount ?? 0) > 0).map((account) => account.id);
	expect(firedAccounts.sort()).toEqual(mustFire);
});
