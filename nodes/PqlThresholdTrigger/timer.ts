import type { IRun, ITriggerFunctions } from 'n8n-workflow';
import type { TriggerRuntime } from '../engine/state/triggerRuntime';
import { recheckAccounts } from '../engine/stream';
import type { TriggerSettings } from './settings';
import { saveJournal, type StoreContext } from './stores';

/** Accounts re-scored per tick at most, and executions started per tick at most. */
const MAX_DUE_PER_TICK = 500;
const MAX_EXECUTIONS_PER_TICK = 100;
const SWEEP_EVERY_MS = 60_000;

/** Crossings this process delivered, remembered so that a list of pending ones read just before cannot start them again. */
const MAX_REMEMBERED_DELIVERIES = 10_000;

function rememberDelivered(runtime: TriggerRuntime, fireId: string): void {
	runtime.delivered.add(fireId);
	if (runtime.delivered.size > MAX_REMEMBERED_DELIVERIES) runtime.delivered.delete(runtime.delivered.values().next().value!);
}

/**
 * A saved state this large slows every webhook request of the workflow down (n8n reads it each time):
 * measured, requests were about 1.6–1.9× slower with 1.3 MB than with a small state (README, "Capacity
 * of the built-in store"). Long ids (UUIDs) reach it with fewer accounts than Max Accounts allows.
 */
export const LARGE_SNAPSHOT_CHARS = 1_000_000;

/** Past 80 % of the built-in store's capacity, or with a large saved state, every answer and every item says so. */
export function capacityWarning(runtime: TriggerRuntime): string | undefined {
	const memory = runtime.memory;
	if (memory === undefined) return undefined;
	const advice = "Switch the trigger's State Store to Redis Over REST.";
	if (memory.accountCount >= 0.8 * memory.maxAccounts) {
		return `The built-in store holds ${memory.accountCount} of at most ${memory.maxAccounts} accounts; past that, events of new accounts are refused. ${advice}`;
	}
	if ((runtime.snapshotLength ?? 0) >= LARGE_SNAPSHOT_CHARS) {
		const mb = (runtime.snapshotLength! / 1e6).toFixed(1);
		return `The built-in store's saved state is ${mb} MB (${memory.accountCount} accounts): n8n reads it on every webhook request, so requests slow down as it grows. ${advice}`;
	}
	return undefined;
}

/**
 * One tick of the trigger's timer (main process): re-score the accounts whose due time has come,
 * start executions for committed crossings (the outbox), and drop them once their execution has
 * run, so that a crash in between delivers them again (same fireId).
 */
export async function tick(ctx: ITriggerFunctions, runtime: TriggerRuntime, settings: TriggerSettings, now: number): Promise<void> {
	const { store } = runtime;
	const due = await store.dueAccounts(now, MAX_DUE_PER_TICK);
	if (due.length > 0) await store.transact((tx) => recheckAccounts(tx, settings, due, now), { accounts: due });
	// Forgetting idle accounts walks them all: once a minute is plenty for retentions counted in days.
	if (runtime.memory !== undefined && now - (runtime.lastSweptAt ?? 0) >= SWEEP_EVERY_MS) {
		runtime.memory.forgetIdle(now, settings.retentionMs);
		runtime.lastSweptAt = now;
	}

	// Filtered after the await: an execution that finished meanwhile has left inFlight for `delivered`.
	const pending = (await store.pendingFires(MAX_EXECUTIONS_PER_TICK)).filter(
		(entry) => !runtime.inFlight.has(entry.fireId) && !runtime.delivered.has(entry.fireId),
	);
	// n8n saves the trigger's static data when it emits: the snapshot then on disk still lists these
	// crossings, so a crash before their executions finish delivers them again.
	if (pending.length > 0) saveJournal(ctx as unknown as StoreContext, runtime, now);
	for (const entry of pending) {
		runtime.inFlight.add(entry.fireId);
		const done = ctx.helpers.createDeferredPromise<IRun>();
		const release = () => runtime.inFlight.delete(entry.fireId);
		done.promise.then(async () => {
			rememberDelivered(runtime, entry.fireId);
			release();
			await store.delivered([entry.fireId]);
		}, release);
		// One execution per crossing: each execution is one alert, as a user of the canvas expects.
		const warning = capacityWarning(runtime);
		ctx.emit([[{ json: (warning === undefined ? entry.item : { ...entry.item, stateWarning: warning }) as never }]], undefined, done);
	}
}
