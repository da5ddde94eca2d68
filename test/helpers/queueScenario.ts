/**
 * The load and the checks of the queue-mode tests (test/e2e/queueMode*.e2e.test.ts): 10,000 PostHog
 * destination events plus 200 retried deliveries for 500 accounts, over 200 connections. Every event is
 * worth one point (scoreIsEventCountModel), so which accounts must fire is known before anything runs:
 * those sent at least THRESHOLD distinct events.
 */
import type { HttpSink } from './httpSink';
import type { LoadReport } from './loadSender';
import { ratesOverTime } from './loadSender';
import type { N8nQueueCluster, StoredExecution } from './n8nQueue';
import { postHogLoad, scoreIsEventCountModel } from './postHogLoad';

export const ACCOUNTS = 500;
export const EVENTS = 10_000;
export const RETRIES = 200;
export const CONCURRENCY = 200;
export const THRESHOLD = 30;
export const SECRET_HEADER = 'X-PQL-Secret';
export const SECRET = 'queue-mode-e2e-secret';
export const RULES_JSON = JSON.stringify(scoreIsEventCountModel(THRESHOLD));

// Every 10th account is three times as active: ~50 events against ~17, so about 50 accounts cross.
export const load = postHogLoad({ accounts: ACCOUNTS, events: EVENTS, retries: RETRIES, seed: 20261201, heavyEvery: 10, heavyWeight: 3 });
export const mustFire = [...load.totals].filter(([, total]) => total >= THRESHOLD).map(([accountId]) => accountId).sort();

export interface FiredItem {
	accountId: string;
	score: number;
	previousScore: number | null;
	trigger: string;
}

export interface TriggerAnswer {
	accepted: number;
	duplicates: number;
	fired: number;
}

export function deliveryHeaders(): Record<string, string> {
	return { 'content-type': 'application/json', [SECRET_HEADER]: SECRET };
}

export function statusCounts(report: LoadReport): Record<number, number> {
	const statuses: Record<number, number> = {};
	for (const result of report.results) statuses[result.status] = (statuses[result.status] ?? 0) + 1;
	return statuses;
}

export function reportLine(label: string, report: LoadReport): string {
	return (
		`${label}: ${report.results.length} deliveries over ${CONCURRENCY} connections in ${report.seconds.toFixed(1)} s ` +
		`(${report.perSecond.toFixed(0)}/s, p50 ${report.p50.toFixed(0)} ms, p99 ${report.p99.toFixed(0)} ms, ${report.retries} retried); ` +
		`final statuses ${JSON.stringify(statusCounts(report))}; answers/s by tenth ${ratesOverTime(report.results, 10)
			.map((rate) => rate.toFixed(0))
			.join(' ')}; ${mustFire.length} accounts must fire`
	);
}

export function answerTotals(report: LoadReport): TriggerAnswer {
	const answers = report.results.map((result) => JSON.parse(result.body) as TriggerAnswer);
	const sum = (key: keyof TriggerAnswer) => answers.reduce((total, answer) => total + answer[key], 0);
	return { accepted: sum('accepted'), duplicates: sum('duplicates'), fired: sum('fired') };
}

/**
 * Each account that reached the threshold fired exactly once, tipped by its THRESHOLD-th event: the
 * workflow's HTTP Request node delivered one item per such account to the sink, and the workflow has
 * one successful execution per crossing, each enqueued by the main or a webhook process and finished by
 * the worker (none ran anywhere else).
 */
export async function expectEachCrossingFiredOnceOnTheWorker(cluster: N8nQueueCluster, sink: HttpSink, sinkPath: string, workflowId: string): Promise<void> {
	// Until every crossing has arrived, or none has for 30 s (then the lists below show which is missing).
	const sinkCalls = () => sink.callsTo(sinkPath).length;
	for (let last = -1, quietSince = Date.now(); sinkCalls() < mustFire.length && Date.now() - quietSince < 30_000; ) {
		if (sinkCalls() !== last) [last, quietSince] = [sinkCalls(), Date.now()];
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	const executions = await settledStoredExecutions(cluster, workflowId, sinkCalls());
	const executionIds = executions.map((execution) => execution.id).sort();
	// The worker logs "finished" after it has saved the execution: give the last line a moment.
	const started = Date.now();
	while (!executionIds.every((id) => cluster.workerExecutionIds().has(id)) && Date.now() - started < 10_000) {
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	console.log(`executions: ${executions.length} in n8n's database, ${(await cluster.listExecutions(workflowId)).length} in its execution list`);
	const items = sink.callsTo(sinkPath).map((call) => call.body as FiredItem);
	expect(items.map((item) => item.accountId).sort()).toEqual(mustFire);
	for (const item of items) expect(item).toMatchObject({ trigger: 'crossedThreshold', score: THRESHOLD, previousScore: THRESHOLD - 1 });
	expect(executionIds).toHaveLength(mustFire.length);
	expect([...new Set(executions.map((execution) => execution.status))]).toEqual(['success']);
	expect([...cluster.enqueuedExecutionIds()].filter((id) => executionIds.includes(id)).sort()).toEqual(executionIds);
	expect([...cluster.workerExecutionIds()].filter((id) => executionIds.includes(id)).sort()).toEqual(executionIds);
}

/** The workflow's executions in n8n's database once at least `atLeast` exist and none is new or running. */
async function settledStoredExecutions(cluster: N8nQueueCluster, workflowId: string, atLeast: number, timeoutMs = 180_000): Promise<StoredExecution[]> {
	const started = Date.now();
	for (;;) {
		const executions = cluster.storedExecutions(workflowId);
		const unsettled = executions.filter((execution) => execution.status === 'new' || execution.status === 'running');
		if (executions.length >= atLeast && unsettled.length === 0) return executions;
		if (Date.now() - started > timeoutMs) {
			throw new Error(`workflow ${workflowId}: ${executions.length} executions (${unsettled.length} new or running) after ${timeoutMs} ms, expected ≥ ${atLeast}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

/** Accounts whose stored per-event-name counts differ from what was sent, one line each (empty: exact). */
export function countMismatches(stored: Map<string, Record<string, number> | undefined>): string[] {
	const sorted = (counts: Record<string, number> | undefined) => JSON.stringify(Object.entries(counts ?? {}).sort(([a], [b]) => a.localeCompare(b)));
	return [...load.counts]
		.filter(([accountId, counts]) => sorted(stored.get(accountId)) !== sorted(counts))
		.map(([accountId, counts]) => `${accountId}: sent ${sorted(counts)}, stored ${sorted(stored.get(accountId))}`);
}
