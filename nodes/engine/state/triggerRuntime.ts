import type { CompiledModel } from '../rules/compile';
import type { MemoryStateStore } from './memoryStore';
import type { StateStore } from './store';

/**
 * What a trigger node keeps between webhook requests and timer ticks, in the n8n process: n8n
 * builds a fresh workflow object (and static data copy) per request, so anything that must see
 * every request — the built-in state, the shared store's client, the compiled rules — lives here,
 * keyed by workflow, node and mode.
 */
export interface TriggerRuntime {
	store: StateStore;
	/** The built-in store, whose snapshots are saved in the workflow's static data. */
	memory: MemoryStateStore | undefined;
	/** The store's configuration; a different one (other credential, namespace) replaces the runtime. */
	storeKey: string;
	/** A full snapshot is being built in the background. */
	snapshotting?: boolean;
	/** When the last full snapshot was begun, and the last journal written (built-in store). */
	lastSavedAt: number;
	lastJournalAt?: number;
	/** How long the last full snapshot took to build (ms, work only): they are spaced by it (see saveDue). */
	lastSaveMs?: number;
	/** The last full snapshot written to (or restored from) static data: every journal is written with it. */
	snapshotText?: string;
	/**
	 * The journal written with it, in segments (oldest first), each with the store's commit count and
	 * the time it was built at: a segment holds what changed after the one before (see saveJournal).
	 */
	journal?: JournalSegment[];
	/** Characters of the snapshot and journal last written to (or restored from) static data: n8n reads them on every request. */
	snapshotLength?: number;
	/** Snapshots begun, and the number of the latest one written to static data (an older one finishing later is dropped). */
	saves: number;
	savesWritten: number;
	/** When idle accounts were last forgotten (built-in store). */
	lastSweptAt?: number;
	/** Crossings handed to an execution that has not finished yet. */
	inFlight: Set<string>;
	/** Crossings whose execution finished (oldest first, bounded): never started twice by this process. */
	delivered: Set<string>;
	/** How the shared store reaches its server now (set by the request or tick that uses it). */
	send?: (path: string, body: unknown) => Promise<unknown>;
}

export interface JournalSegment {
	text: string;
	mark: number;
	at: number;
}

const runtimes = new Map<string, TriggerRuntime>();

export function triggerRuntime(
	key: string,
	storeKey: string,
	createStore: (runtime: TriggerRuntime) => { store: StateStore; memory?: MemoryStateStore },
): TriggerRuntime {
	const known = runtimes.get(key);
	if (known !== undefined && known.storeKey === storeKey) return known;
	if (known !== undefined) void known.store.close();
	const runtime = emptyRuntime(storeKey);
	const { store, memory } = createStore(runtime);
	runtime.store = store;
	runtime.memory = memory;
	runtimes.set(key, runtime);
	return runtime;
}

/** A runtime with nothing saved yet, its store still to be set (by triggerRuntime, or by a test or benchmark). */
export function emptyRuntime(storeKey: string): TriggerRuntime {
	return { storeKey, lastSavedAt: 0, saves: 0, savesWritten: 0, inFlight: new Set<string>(), delivered: new Set<string>() } as unknown as TriggerRuntime;
}

export function findTriggerRuntime(key: string): TriggerRuntime | undefined {
	return runtimes.get(key);
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
