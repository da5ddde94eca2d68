/**
 * The Redis store under the concurrency test of the built-in one: 10,000 PostHog destination
 * events (plus 200 retried deliveries) for 500 accounts, split between two processes that each run
 * the trigger's ingest pipeline with 100 requests in flight, updating the same accounts in the
 * same Redis namespace (as two n8n webhook processes in queue mode would). Retries may reach the
 * other process than the original.
 * Checked: stored counts equal the events sent, per account and event name; the accounts that
 * fired, over both processes, are exactly those sent at least THRESHOLD events, each once.
 * Runs against the Redis server on 127.0.0.1:6379 (`.ci/run` starts one); its keys are removed.
 */
import { fork } from 'child_process';
import { randomUUID } from 'crypto';
import { join } from 'path';
import { RedisClient } from '../../nodes/engine/state/redisClient';
import { RedisStateStore } from '../../nodes/engine/state/redisStore';
import { postHogLoad, scoreIsEventCountModel } from '../helpers/postHogLoad';
import type { IngestOrder, IngestReport } from '../helpers/redisIngestWorker';

jest.setTimeout(180_000);

const ACCOUNTS = 500;
const EVENTS = 10_000;
const RETRIES = 200;
const IN_FLIGHT_PER_PROCESS = 100;
const THRESHOLD = 30;

const MODEL = scoreIsEventCountModel(THRESHOLD);

const namespace = `test-concurrency-${randomUUID()}`;
const admin = new RedisClient();

afterAll(async () => {
	for (;;) {
		const [cursor, keys] = (await admin.command(['SCAN', 0, 'MATCH', `pql:${namespace}:*`, 'COUNT', 5000])) as [string, string[]];
		if (keys.length > 0) await admin.command(['DEL', ...keys]);
		if (cursor === '0' && keys.length === 0) break;
	}
	await admin.close();
});

function startWorker(order: IngestOrder): Promise<IngestReport> {
	const child = fork(join(__dirname, '../helpers/redisIngestWorker.ts'), [], {
		execArgv: ['-r', 'ts-node/register/transpile-only'],
		cwd: join(__dirname, '../..'),
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	return new Promise<IngestReport>((resolve, reject) => {
		child.once('error', reject);
		child.once('message', () => {
			child.once('message', (report: IngestReport) => resolve(report));
			child.send(order);
		});
	});
}

function sorted(counts: Record<string, number> | undefined): Array<[string, number]> {
	return Object.entries(counts ?? {}).sort(([a], [b]) => a.localeCompare(b));
}

test(`two processes, ${EVENTS} events (+${RETRIES} retries), ${ACCOUNTS} accounts: exact counts, exact fired set`, async () => {
	const load = postHogLoad({ accounts: ACCOUNTS, events: EVENTS, retries: RETRIES, seed: 20261123, heavyEvery: 10, heavyWeight: 3 });
	const mustFire = [...load.totals].filter(([, total]) => total >= THRESHOLD).map(([accountId]) => accountId).sort();
	expect(mustFire.length).toBeGreaterThan(20);
	const bodies = load.deliveries.map((delivery) => delivery.body);
	const order = (share: number): IngestOrder => ({
		namespace,
		model: MODEL,
		bodies: bodies.filter((_, index) => index % 2 === share),
		concurrency: IN_FLIGHT_PER_PROCESS,
		cooldownDays: 7,
		hysteresis: 10,
	});

	const started = Date.now();
	const reports = await Promise.all([startWorker(order(0)), startWorker(order(1))]);
	const seconds = (Date.now() - started) / 1000;
	for (const report of reports) expect(report.error).toBeUndefined();
	console.log(
		`Redis, 2 processes × ${IN_FLIGHT_PER_PROCESS} in flight: ${bodies.length} requests in ${seconds.toFixed(1)} s ` +
			`(${(bodies.length / seconds).toFixed(0)}/s incl. process start); writes ${reports.map((r) => r.stats.writes).join('+')}, ` +
			`conflicts ${reports.map((r) => r.stats.conflicts).join('+')}; fired ${reports.map((r) => r.fired.length).join('+')}`,
	);

	const statuses: Record<number, number> = {};
	for (const report of reports) for (const [status, count] of Object.entries(report.statuses)) statuses[Number(status)] = (statuses[Number(status)] ?? 0) + count;
	expect(statuses).toEqual({ 200: bodies.length });
	expect(reports[0].accepted + reports[1].accepted).toBe(EVENTS);
	expect(reports[0].duplicates + reports[1].duplicates).toBe(RETRIES);

	const fired = reports.flatMap((report) => report.fired);
	expect(fired.map((item) => item.accountId).sort()).toEqual(mustFire);
	for (const item of fired) expect(item).toMatchObject({ score: THRESHOLD, previousScore: THRESHOLD - 1 });

	const store = new RedisStateStore({ namespace, redis: admin, accountTtlMs: 0 });
	const mismatches: string[] = [];
	for (const [accountId, counts] of load.counts) {
		const state = await store.readAccount(accountId);
		if (JSON.stringify(sorted(state?.eventCounts)) !== JSON.stringify(sorted(counts))) {
			mismatches.push(`${accountId}: sent ${JSON.stringify(sorted(counts))}, stored ${JSON.stringify(sorted(state?.eventCounts))}`);
		}
		expect(state?.crossing?.firedCount ?? 0).toBe(mustFire.includes(accountId) ? 1 : 0);
	}
	expect(mismatches).toEqual([]);
});
