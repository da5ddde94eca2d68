/**
 * npm run bench — the scoring engine against a floor, a naive baseline and JSON.parse, on
 * 1,000,000 deterministic events of 100,000 accounts, then the PQL Score node inside n8n's
 * WorkflowExecute against the engine on 100,000 items. Prints figures and ratios from one run.
 */
import assert from 'assert';
import { EventAggregator } from '../../nodes/engine/aggregate';
import { normalizeEvent } from '../../nodes/engine/events';
import { compileModel } from '../../nodes/engine/rules/compile';
import type { ScoreResult } from '../../nodes/engine/score';
import { parseIsoTimestamp } from '../../nodes/engine/time';
import { BENCH_AS_OF, BENCH_MODEL, generateEvents, type BenchEvent } from './data';
import { naiveScores } from './naive';
import { runNodeBench } from './node';

const EVENT_COUNT = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const ACCOUNT_COUNT = Number(process.env.BENCH_ACCOUNTS ?? 100_000);
const NODE_ITEMS = Number(process.env.BENCH_NODE_ITEMS ?? 100_000);
const RUNS = 3;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function time<T>(fn: () => T): { ms: number; value: T } {
	const start = process.hrtime.bigint();
	const value = fn();
	return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** Best of RUNS: the least disturbed measurement of the same work. */
function best<T>(fn: () => T): { ms: number; value: T } {
	let result = time(fn);
	for (let run = 1; run < RUNS; run++) {
		gc();
		const next = time(fn);
		if (next.ms < result.ms) result = next;
	}
	return result;
}

/** The least any scorer must do: read each event's account, name and timestamp once into a Map. */
function floor(events: BenchEvent[]): Map<string, { count: number; last: number; name: string }> {
	const accounts = new Map<string, { count: number; last: number; name: string }>();
	for (let i = 0; i < events.length; i++) {
		const event = events[i];
		const timestamp = parseIsoTimestamp(event.timestamp);
		const account = accounts.get(event.accountId);
		if (account === undefined) accounts.set(event.accountId, { count: 1, last: timestamp, name: event.event });
		else {
			account.count++;
			if (timestamp > account.last) account.last = timestamp;
			account.name = event.event;
		}
	}
	return accounts;
}

function aggregate(events: unknown[]): EventAggregator {
	const aggregator = new EventAggregator(compileModel(BENCH_MODEL), { asOf: BENCH_AS_OF, level: 'account' });
	for (let i = 0; i < events.length; i++) aggregator.add(normalizeEvent(events[i], 'auto'));
	return aggregator;
}

/** Scores every account: the work the floor and the naive baseline are compared with. */
function engine(events: unknown[]): Array<{ id: string; score: number }> {
	return aggregate(events).verdicts();
}

/** Scores with reasons, matched and unmatched rules, users and summaries: what the node outputs. */
function engineExplained(events: unknown[]): ScoreResult[] {
	return aggregate(events).finish();
}

function heapMb(): number {
	gc();
	gc();
	return process.memoryUsage().heapUsed / 1e6;
}

function ratio(label: string, value: number, target: string, ok: boolean): void {
	console.log(`  ${label.padEnd(44)} ${value.toFixed(2).padStart(8)}   target ${target.padEnd(7)} ${ok ? 'ok' : 'MISSED'}`);
}

async function main(): Promise<void> {
	console.log(`Generating ${EVENT_COUNT.toLocaleString('en')} events for ${ACCOUNT_COUNT.toLocaleString('en')} accounts…`);
	const text = JSON.stringify(generateEvents(EVENT_COUNT, ACCOUNT_COUNT));
	console.log(`  JSON text: ${(text.length / 1e6).toFixed(0)} MB`);

	const parse = best(() => JSON.parse(text) as BenchEvent[]);
	const events = parse.value;
	const floorRun = best(() => floor(events));
	const engineRun = best(() => engine(events));
	const explainedRun = best(() => engineExplained(events));
	const naiveRun = time(() => naiveScores(events, BENCH_AS_OF));

	const engineScores = new Map(engineRun.value.map((result) => [result.id, result.score]));
	assert.strictEqual(engineScores.size, naiveRun.value.size, 'engine and baseline scored different account counts');
	for (const result of explainedRun.value) assert.strictEqual(result.score, engineScores.get(result.id));
	let pqls = 0;
	for (const [accountId, score] of naiveRun.value) {
		assert.strictEqual(engineScores.get(accountId), score, `score of ${accountId}: engine ${engineScores.get(accountId)}, baseline ${score}`);
		if (score >= 70) pqls++;
	}

	const before = heapMb();
	const aggregator = aggregate(events);
	void aggregator.stats; // applies the waiting events: what is measured is the documents
	const stateMb = heapMb() - before;
	const results = aggregator.finish();
	const resultsMb = heapMb() - before - stateMb;
	assert.strictEqual(results.length, engineScores.size);

	console.log(`\nEngine, ${EVENT_COUNT.toLocaleString('en')} events → ${engineScores.size.toLocaleString('en')} accounts (${pqls.toLocaleString('en')} PQLs; baseline scores asserted equal)`);
	console.log(`  JSON.parse ${parse.ms.toFixed(0)} ms · floor ${floorRun.ms.toFixed(0)} ms · engine ${engineRun.ms.toFixed(0)} ms · naive baseline ${naiveRun.ms.toFixed(0)} ms`);
	console.log(`  engine throughput ${((EVENT_COUNT / engineRun.ms) * 1000 / 1e6).toFixed(2)} M events/s; with reasons and summaries for every account ${explainedRun.ms.toFixed(0)} ms`);
	ratio('engine / floor', engineRun.ms / floorRun.ms, '≤ 2', engineRun.ms / floorRun.ms <= 2);
	ratio('naive baseline / engine', naiveRun.ms / engineRun.ms, '≥ 3', naiveRun.ms / engineRun.ms >= 3);
	ratio('engine / JSON.parse', engineRun.ms / parse.ms, '≤ 0.25', engineRun.ms / parse.ms <= 0.25);
	ratio('engine state beyond parsed input (MB)', stateMb, '≤ 100', stateMb <= 100);
	console.log(`  (score results for ${results.length.toLocaleString('en')} accounts, kept for output: ${resultsMb.toFixed(0)} MB more)`);

	const nodeEvents = events.slice(0, NODE_ITEMS);
	const nodeEngine = best(() => engineExplained(nodeEvents));
	const node = await runNodeBench(nodeEvents, BENCH_MODEL, BENCH_AS_OF);
	assert.strictEqual(node.accounts, nodeEngine.value.length, 'node and engine scored different account counts');
	console.log(`\nPQL Score node in WorkflowExecute, ${NODE_ITEMS.toLocaleString('en')} items → ${node.accounts.toLocaleString('en')} accounts`);
	console.log(`  node ${node.ms.toFixed(0)} ms (n8n's executionTime) · engine with reasons on the same events ${nodeEngine.ms.toFixed(0)} ms`);
	ratio('node / engine', node.ms / nodeEngine.ms, '≤ 2', node.ms / nodeEngine.ms <= 2);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
