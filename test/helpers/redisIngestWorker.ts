/**
 * A webhook process for test/engine/redisConcurrency.test.ts: it runs the trigger's ingest pipeline
 * (nodes/engine/ingest/pipeline.ts) on its share of the request bodies, with its own Redis store
 * and connection, several requests in flight at once, as one n8n webhook process would.
 * Protocol: it sends {ready}, receives an IngestOrder, sends back an IngestReport, exits.
 */
import { ingest, type IngestSettings } from '../../nodes/engine/ingest/pipeline';
import { compileModel } from '../../nodes/engine/rules/compile';
import type { ModelConfig } from '../../nodes/engine/rules/schema';
import { RedisStateStore, type RedisStoreStats } from '../../nodes/engine/state/redisStore';

export interface IngestOrder {
	namespace: string;
	model: ModelConfig;
	/** Request bodies, each one PostHog destination event. */
	bodies: string[];
	/** Requests in flight at once. */
	concurrency: number;
	cooldownDays: number;
	hysteresis: number;
}

export interface FiredReport {
	accountId: string;
	score: number;
	previousScore: number | null;
	eventId: string | null;
}

export interface IngestReport {
	statuses: Record<number, number>;
	accepted: number;
	duplicates: number;
	fired: FiredReport[];
	ms: number;
	stats: RedisStoreStats;
	error?: string;
}

export async function ingestAll(store: RedisStateStore, order: IngestOrder): Promise<Omit<IngestReport, 'ms' | 'stats'>> {
	const model = compileModel(order.model);
	const settings: IngestSettings = {
		auth: { kind: 'none' },
		source: 'auto',
		normalize: {},
		accountFrom: 'groupOrEmailDomain',
		model,
		store,
		crossing: { fireOn: 'threshold', cooldownDays: order.cooldownDays, hysteresis: order.hysteresis, tiers: model.tiers },
		emit: 'crossing',
		maxBodyBytes: 1024 * 1024,
		now: Date.now,
	};
	const report: Omit<IngestReport, 'ms' | 'stats'> = { statuses: {}, accepted: 0, duplicates: 0, fired: [] };
	let next = 0;
	const sender = async () => {
		while (next < order.bodies.length) {
			const body = order.bodies[next++];
			const outcome = await ingest({ rawBody: Buffer.from(body), headers: { 'content-type': 'application/json' } }, settings);
			report.statuses[outcome.status] = (report.statuses[outcome.status] ?? 0) + 1;
			report.accepted += Number(outcome.body.accepted ?? 0);
			report.duplicates += Number(outcome.body.duplicates ?? 0);
			for (const fired of outcome.fired) {
				report.fired.push({ accountId: fired.result.id, score: fired.result.score, previousScore: fired.previousScore, eventId: fired.event.id });
			}
		}
	};
	await Promise.all(Array.from({ length: order.concurrency }, sender));
	return report;
}

if (require.main === module) {
	process.on('message', (order: IngestOrder) => {
		const store = new RedisStateStore({ namespace: order.namespace, redis: {}, accountTtlMs: 3_600_000 });
		const started = process.hrtime.bigint();
		ingestAll(store, order)
			.then((report) => ({ ...report, ms: Number(process.hrtime.bigint() - started) / 1e6, stats: store.stats }))
			.catch((error: Error) => ({ statuses: {}, accepted: 0, duplicates: 0, fired: [], ms: 0, stats: store.stats, error: error.stack ?? error.message }))
			.then(async (report: IngestReport) => {
				await store.close();
				process.send!(report, undefined, {}, () => process.exit(0));
			});
	});
	process.send!({ ready: true });
}
