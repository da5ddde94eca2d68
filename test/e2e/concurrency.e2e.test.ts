/**
 * The built-in store under concurrent load, in a real n8n 2.40 started by this test: 10,000
 * PostHog destination events (plus 200 retried deliveries) for 500 accounts, POSTed over 200
 * concurrent keep-alive connections to the trigger's production URL.
 *
 * Each account's score is its number of events (one rule: any event, 1 point each), so the
 * accounts that must fire are known in advance: those sent at least THRESHOLD distinct events.
 * Checked: every request answered 200; the accounts the sink heard from are exactly those, each
 * once, each tipped by its THRESHOLD-th event; and the state n8n stored (the snapshot in the
 * workflow's static data, as saved when the workflow is deactivated) holds exactly the events
 * sent, per account and event name, with every retry recognised as a duplicate.
 */
import * as fs from 'fs';
import { SNAPSHOT_SEEN_MAX } from '../../nodes/engine/state/memoryStore';
import * as os from 'os';
import * as path from 'path';
import { startHttpSink, type HttpSink } from '../helpers/httpSink';
import { ratesOverTime, sendConcurrently } from '../helpers/loadSender';
import { ensureN8nInstalled, startN8n, type N8nInstance } from '../helpers/n8nServer';
import { postHogLoad, scoreIsEventCountModel } from '../helpers/postHogLoad';
import { buildAndPackPql } from '../helpers/pqlPackage';
import {
	createCredential,
	deployTriggerWorkflow,
	readSavedState,
	settledExecutions,
	snapshotSavedAfter,
	type DeployedTrigger,
} from '../helpers/pqlWorkflows';

jest.setTimeout(10 * 60_000);

const ACCOUNTS = 500;
const EVENTS = 10_000;
const RETRIES = 200;
const CONCURRENCY = 200;
const THRESHOLD = 30;
const SECRET_HEADER = 'X-PQL-Secret';
const SECRET = 'concurrency-e2e-secret';
/**
 * Not 0: saving the whole snapshot (~1 MB here) after each of 200 concurrent requests saturates
 * n8n's SQLite, and n8n then answers a third of the requests 503 "Database is not ready!".
 */
const SAVE_EVERY_SECONDS = Number(process.env.PQL_E2E_SAVE_EVERY ?? 1);

const RULES = JSON.stringify(scoreIsEventCountModel(THRESHOLD));

interface FiredItem {
	accountId: string;
	score: number;
	previousScore: number | null;
	trigger: string;
}

// Every 10th account is three times as active: ~50 events against ~17, so about 50 accounts cross.
const load = postHogLoad({ accounts: ACCOUNTS, events: EVENTS, retries: RETRIES, seed: 20261123, heavyEvery: 10, heavyWeight: 3 });
const mustFire = [...load.totals].filter(([, total]) => total >= THRESHOLD).map(([accountId]) => accountId).sort();

let n8n: N8nInstance;
let sink: HttpSink;
let packDir: string;
let trigger: DeployedTrigger;

beforeAll(async () => {
	ensureN8nInstalled();
	packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pql-e2e-pack-'));
	n8n = await startN8n({ packageTarball: buildAndPackPql(packDir), env: { N8N_EXPRESSION_ENGINE: 'legacy' } });
	sink = await startHttpSink();
	const credential = await createCredential(n8n, 'pqlWebhookSecretApi', 'PostHog secret (e2e)', { headerName: SECRET_HEADER, secret: SECRET });
	trigger = await deployTriggerWorkflow(n8n, {
		name: 'PQL e2e: concurrency',
		parameters: { authentication: 'sharedSecretHeader', rulesSource: 'json', rulesJson: RULES, settings: { saveEverySeconds: SAVE_EVERY_SECONDS } },
		credentials: { pqlWebhookSecretApi: credential },
		sinkUrl: sink.url('/sink/concurrency'),
	});
}, 15 * 60_000);

afterAll(async () => {
	await sink?.close();
	await n8n?.stop();
	if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
});

test(`${EVENTS} events (+${RETRIES} retries) for ${ACCOUNTS} accounts over ${CONCURRENCY} connections: exact counts, exact fired set`, async () => {
	expect(load.totals.size).toBe(ACCOUNTS);
	expect(mustFire.length).toBeGreaterThan(20);

	const report = await sendConcurrently(
		load.deliveries.length,
		(index) => ({
			url: trigger.url,
			headers: { 'content-type': 'application/json', [SECRET_HEADER]: SECRET },
			body: load.deliveries[index].body,
		}),
		{ concurrency: CONCURRENCY },
	);
	const statuses = new Map<number, number>();
	for (const result of report.results) statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
	console.log(
		`built-in store: ${load.deliveries.length} requests over ${CONCURRENCY} connections in ${report.seconds.toFixed(1)} s ` +
			`(${report.perSecond.toFixed(0)}/s, p50 ${report.p50.toFixed(0)} ms, p99 ${report.p99.toFixed(0)} ms); ` +
			`statuses ${JSON.stringify(Object.fromEntries(statuses))}; answers/s by tenth of the run ` +
			`${ratesOverTime(report.results, 10).map((rate) => rate.toFixed(0)).join(' ')}; ${mustFire.length} accounts must fire`,
	);
	expect(report.firstFailure).toBeUndefined();
	const answers = report.results.map((result) => JSON.parse(result.body) as { accepted: number; duplicates: number; fired: number });
	const sum = (key: 'accepted' | 'duplicates' | 'fired') => answers.reduce((total, answer) => total + answer[key], 0);
	expect({ accepted: sum('accepted'), duplicates: sum('duplicates'), fired: sum('fired') }).toEqual({
		accepted: EVENTS,
		duplicates: RETRIES,
		fired: mustFire.length,
	});

	// (a) fired: exactly the accounts that reached the threshold, once each, tipped by their THRESHOLD-th event
	await sink.waitFor((calls) => calls.length >= mustFire.length, 120_000);
	const executions = await settledExecutions(n8n, trigger.workflowId, mustFire.length, 120_000);
	expect(executions).toHaveLength(mustFire.length);
	expect(executions.every((execution) => execution.status === 'success')).toBe(true);
	const items = sink.callsTo('/sink/concurrency').map((call) => call.body as FiredItem);
	expect(items.map((item) => item.accountId).sort()).toEqual(mustFire);
	for (const item of items) expect(item).toMatchObject({ trigger: 'crossedThreshold', score: THRESHOLD, previousScore: THRESHOLD - 1 });

	// (b) stored: the state holds every event sent, per account and event name.
	// Snapshots are written by requests (at most every SAVE_EVERY_SECONDS) and on deactivation:
	// what the last request saved may lack the events of the requests just before it.
	const lastSaved = await readSavedState(n8n, trigger.workflowId);
	const savedEvents = (lastSaved?.accounts ?? []).reduce((total, account) => total + Object.values(account.eventCounts).reduce((a, b) => a + b, 0), 0);
	console.log(`snapshot saved by the last requests: ${savedEvents} of ${EVENTS} events, ${(JSON.stringify(lastSaved).length / 1024).toFixed(0)} KB`);

	const deactivatedAt = Date.now();
	await n8n.deactivateWorkflow(trigger.workflowId);
	const saved = await snapshotSavedAfter(n8n, trigger.workflowId, deactivatedAt);
	const stored = new Map(saved.accounts.map((account) => [account.id, account.eventCounts]));
	expect(stored.size).toBe(ACCOUNTS);
	const mismatches = [...load.counts]
		.filter(([accountId, counts]) => JSON.stringify(sorted(stored.get(accountId))) !== JSON.stringify(sorted(counts)))
		.map(([accountId, counts]) => `${accountId}: sent ${JSON.stringify(sorted(counts))}, stored ${JSON.stringify(sorted(stored.get(accountId)))}`);
	expect(mismatches).toEqual([]);
	// Snapshots keep the newest event ids only (small snapshots keep n8n fast): all sent, none twice.
	const sentIds = new Set(load.events.map((event) => event.uuid));
	const seen = new Set(saved.seen.map(([id]) => id));
	expect(seen.size).toBe(Math.min(sentIds.size, SNAPSHOT_SEEN_MAX));
	expect([...seen].filter((id) => !sentIds.has(id))).toEqual([]);
	const firedAccounts = saved.accounts.filter((account) => (account.crossing?.firedCount ?? 0) > 0).map((account) => account.id);
	expect(firedAccounts.sort()).toEqual(mustFire);
});

function sorted(counts: Record<string, number> | undefined): Array<[string, number]> {
	return Object.entries(counts ?? {}).sort(([a], [b]) => a.localeCompare(b));
}
