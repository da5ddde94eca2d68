import type { CompiledModel } from '../rules/compile';
import { MemoryStateStore } from './memoryStore';
import type { StateStore } from './store';

/**
 * What a trigger node keeps between webhook requests, in the n8n process: n8n builds a fresh
 * workflow object (and static data copy) per request, so anything that must see every request —
 * the authoritative built-in state, an open Redis connection, the compiled rules — lives here,
 * keyed by workflow, node and mode.
 */
export interface TriggerRuntime {
	store: StateStore;
	/** The built-in store, whose snapshots are saved in the workflow's static data. */
	memory: MemoryStateStore | undefined;
	/** The store's configuration; a different one (other credential, namespace) replaces the runtime. */
	storeKey: string;
	lastSavedAt: number;
	/** Events counted since the last snapshot. */
	unsaved: number;
}

const runtimes = new Map<string, TriggerRuntime>();

export function triggerRuntime(key: string, storeKey: string, createStore: () => { store: StateStore; memory?: MemoryStateStore }): TriggerRuntime {
	const known = runtimes.get(key);
	if (known !== undefined && known.storeKey === storeKey) return known;
	if (known !== undefined) void known.store.close();
	const { store, memory } = createStore();
	const runtime: TriggerRuntime = { store, memory, storeKey, lastSavedAt: 0, unsaved: 0 };
	runtimes.set(key, runtime);
	return runtime;
}

export async function dropTriggerRuntime(key: string): Promise<TriggerRuntime | undefined> {
	const known = runtimes.get(key);
	runtimes.delete(key);
	if (known !== undefined) await known.store.close();
	return known;
}

const models = new Map<string, CompiledModel>();
const MAX_CACHED_MODELS = 100;

/** The model for these node parameters, compiled once: parameters are read on every request, rules rarely change. */
export function cachedModel(parametersKey: string, compile: () => CompiledModel): CompiledModel {
	let model = models.get(parametersKey);
	if (model === undefined) {
		model = compile();
		if (models.size >= MAX_CACHED_MODELS) models.delete(models.keys().next().value!);
		models.set(parametersKey, model);
	}
	return model;
}

/**
 * Whether to write a snapshot with this request: always after a crossing (so a restart never
 * fires it again), otherwise when something changed and the save interval has passed.
 */
export function snapshotDue(runtime: TriggerRuntime, fired: boolean, now: number, saveEveryMs: number): boolean {
	if (runtime.memory === undefined || runtime.unsaved === 0) return false;
	return fired || now - runtime.lastSavedAt >= saveEveryMs;
}
