/**
 * A second process for test/engine/stateRedis.test.ts: it updates the same accounts in the same
 * Redis namespace as the test process, through its own store and connection.
 * Protocol: it sends {ready}, receives a WorkerOrder, sends back a WorkerReport, exits.
 */
import type { PqlEvent } from '../../nodes/engine/events/model';
import { compileModel } from '../../nodes/engine/rules/compile';
import type { ModelConfig } from '../../nodes/engine/rules/schema';
import { applyEvent } from '../../nodes/engine/state/accountState';
import { RedisStateStore, type RedisStoreStats } from '../../nodes/engine/state/redisStore';

export interface WorkerOrder {
	namespace: string;
	model: ModelConfig;
	accounts: string[];
	updatesPerAccount: number;
	/** Prefix of the event ids, so the two processes never send the same event. */
	idPrefix: string;
	timestamp: number;
	/** One update in flight at a time (a trigger answering one request after another) instead of all at once. */
	oneAtATime?: boolean;
}

export interface WorkerReport {
	ms: number;
	stats: RedisStoreStats;
	error?: string;
}

/** The updates both processes send: one login event per update, applied with the streaming state. */
export async function sendLogins(store: RedisStateStore, order: WorkerOrder): Promise<void> {
	const model = compileModel(order.model);
	const updates: Array<Promise<unknown>> = [];
	let previous: Promise<unknown> = Promise.resolve();
	for (let n = 0; n < order.updatesPerAccount; n++) {
		for (const accountId of order.accounts) {
			const event: PqlEvent = {
				id: `${order.idPrefix}-${accountId}-${n}`,
				source: 'generic',
				kind: 'track',
				name: 'login',
				userId: `${order.idPrefix}-user`,
				accountId,
				email: undefined,
				timestamp: order.timestamp + n,
				properties: {},
				userTraits: undefined,
				accountTraits: undefined,
			};
			const update = () => store.updateAccount(accountId, (state) => ({ state: applyEvent(model, state, event, accountId), result: undefined }));
			previous = order.oneAtATime ? previous.then(update) : update();
			updates.push(previous);
		}
	}
	await Promise.all(updates);
}

if (require.main === module) {
	process.on('message', (order: WorkerOrder) => {
		const store = new RedisStateStore({ namespace: order.namespace, redis: {}, accountTtlMs: 60_000 });
		const started = process.hrtime.bigint();
		sendLogins(store, order)
			.then(() => ({ ms: Number(process.hrtime.bigint() - started) / 1e6, stats: store.stats }))
			.catch((error: Error) => ({ ms: 0, stats: store.stats, error: error.message }))
			.then(async (report: WorkerReport) => {
				await store.close();
				process.send!(report, undefined, {}, () => process.exit(0));
			});
	});
	process.send!({ ready: true });
}
