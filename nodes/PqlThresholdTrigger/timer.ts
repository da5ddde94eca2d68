import type { IRun, ITriggerFunctions } from 'n8n-workflow';
import type { TriggerRuntime } from '../engine/state/triggerRuntime';
import { recheckAccounts } from '../engine/stream';
import type { TriggerSettings } from './settings';
import { saveSnapshot, snapshotDue, type StoreContext } from './stores';

/** Accounts re-scored per tick at most, and crossings per execution. */
const MAX_DUE_PER_TICK = 500;
const MAX_ITEMS_PER_EXECUTION = 100;

/**
 * One tick of the trigger's timer (main process): re-score the accounts whose due time has come,
 * start executions for committed crossings (the outbox), and drop them once their execution has
 * run, so that a crash in between delivers them again (same fireId). Saves the built-in snapshot.
 */
export async function tick(ctx: ITriggerFunctions, runtime: TriggerRuntime, settings: TriggerSettings, now: number): Promise<void> {
	const { store } = runtime;
	const due = await store.dueAccounts(now, MAX_DUE_PER_TICK);
	if (due.length > 0) await store.transact((tx) => recheckAccounts(tx, settings, due, now), { accounts: due });
	runtime.memory?.forgetIdle(now, settings.retentionMs);

	const pending = (await store.pendingFires(MAX_ITEMS_PER_EXECUTION * 10)).filter((entry) => !runtime.inFlight.has(entry.fireId));
	for (let start = 0; start < pending.length; start += MAX_ITEMS_PER_EXECUTION) {
		const batch = pending.slice(start, start + MAX_ITEMS_PER_EXECUTION);
		const ids = batch.map((entry) => entry.fireId);
		for (const id of ids) runtime.inFlight.add(id);
		const done = ctx.helpers.createDeferredPromise<IRun>();
		const release = () => {
			for (const id of ids) runtime.inFlight.delete(id);
		};
		done.promise.then(
			async () => {
				await store.delivered(ids);
				release();
			},
			release,
		);
		ctx.emit([batch.map((entry) => ({ json: entry.item as never }))], undefined, done);
	}
	// Saved with the next execution's static data, or by the next request: the webhook saves too.
	const saveEveryMs = (settings.options.saveEverySeconds ?? 5) * 1000;
	if (snapshotDue(runtime, false, now, saveEveryMs)) saveSnapshot(ctx as unknown as StoreContext, runtime, now);
}
