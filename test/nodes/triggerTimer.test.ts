import type { IRun, ITriggerFunctions } from 'n8n-workflow';
import { compileModel } from '../../nodes/engine/rules/compile';
import { MemoryStateStore, readSavedState } from '../../nodes/engine/state/memoryStore';
import type { OutboxEntry } from '../../nodes/engine/state/store';
import { triggerRuntime } from '../../nodes/engine/state/triggerRuntime';
import type { TriggerSettings } from '../../nodes/PqlThresholdTrigger/settings';
import { tick } from '../../nodes/PqlThresholdTrigger/timer';

interface Deferred {
	promise: Promise<IRun>;
	resolve: (run: IRun) => void;
	reject: (error: Error) => void;
}

/** The part of n8n's trigger context the timer uses: emit (recorded) and deferred promises. */
function fakeTrigger() {
	const emitted: Array<{ fireId: string; done: Deferred }> = [];
	const staticData: Record<string, unknown> = {};
	const ctx = {
		emit: (data: Array<Array<{ json: { fireId: string } }>>, _response: unknown, done: Deferred) => emitted.push({ fireId: data[0][0].json.fireId, done }),
		getWorkflowStaticData: () => staticData,
		helpers: {
			createDeferredPromise: (): Deferred => {
				let resolve!: Deferred['resolve'];
				let reject!: Deferred['reject'];
				const promise = new Promise<IRun>((yes, no) => ((resolve = yes), (reject = no)));
				return { promise, resolve, reject };
			},
		},
	};
	return { ctx: ctx as unknown as ITriggerFunctions, emitted, staticData };
}

const settings = {
	model: compileModel({ rules: [{ name: 'Logins', category: 'usage', type: 'eventCount', event: 'login', points: 1 }] }),
	accountFrom: 'groupOrEmailDomain',
	crossing: { fireOn: 'threshold', cooldownDays: 0, hysteresis: 0 },
	emit: 'crossing',
	options: {},
	retentionMs: Infinity,
} as unknown as TriggerSettings;

const entry = (fireId: string): OutboxEntry => ({ fireId, accountId: fireId.split(':')[0], at: 0, item: { fireId } });

test('a crossing is started once, even when its execution finishes while the next tick reads the outbox', async () => {
	const memory = new MemoryStateStore();
	memory.transactNow((tx) => tx.fire(entry('acme:1')));
	const runtime = triggerRuntime(`timer-test:${Math.random()}`, 'builtIn', () => ({ store: memory, memory }));
	const { ctx, emitted, staticData } = fakeTrigger();
	await tick(ctx, runtime, settings, 1000);
	expect(emitted.map((e) => e.fireId)).toEqual(['acme:1']);
	// The snapshot saved as n8n emits still lists the crossing: a crash before it ran delivers it again.
	expect(readSavedState(staticData.pqlState as string, staticData.pqlJournal as string)!.outbox.map((e: OutboxEntry) => e.fireId)).toEqual(['acme:1']);

	// The execution finishes right after the next tick has read the pending crossings.
	const read = memory.pendingFires.bind(memory);
	memory.pendingFires = async (limit) => {
		const pending = await read(limit);
		emitted[0].done.resolve({} as IRun);
		await new Promise((resolve) => setImmediate(resolve));
		return pending;
	};
	await tick(ctx, runtime, settings, 2000);
	memory.pendingFires = read;
	await tick(ctx, runtime, settings, 3000);
	expect(emitted.map((e) => e.fireId)).toEqual(['acme:1']);
	expect(await memory.pendingFires(10)).toEqual([]);
});

test('a crossing whose execution failed to start is tried again on a later tick', async () => {
	const memory = new MemoryStateStore();
	memory.transactNow((tx) => tx.fire(entry('globex:1')));
	const runtime = triggerRuntime(`timer-test:${Math.random()}`, 'builtIn', () => ({ store: memory, memory }));
	const { ctx, emitted } = fakeTrigger();
	await tick(ctx, runtime, settings, 1000);
	emitted[0].done.reject(new Error('n8n could not start the execution'));
	await new Promise((resolve) => setImmediate(resolve));
	await tick(ctx, runtime, settings, 2000);
	expect(emitted.map((e) => e.fireId)).toEqual(['globex:1', 'globex:1']);
});
