import type { IDataObject, IHttpRequestOptions, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';
import { DEFAULT_MAX_ACCOUNTS, JOURNAL_SEPARATOR, MemoryStateStore } from '../engine/state/memoryStore';
import { RestStateStore } from '../engine/state/restStore';
import { runStepsPausing } from '../engine/state/steps';
import { triggerRuntime, type TriggerRuntime } from '../engine/state/triggerRuntime';
import type { TriggerSettings } from './settings';

/** Static data keys: the last full snapshot, and the journal of the documents changed since (see saveJournal). */
export const STATE_KEY = 'pqlState';
export const JOURNAL_KEY = 'pqlJournal';

/** What the node's contexts (webhook, trigger, hooks) offer that the stores need. */
export interface StoreContext {
	getWorkflow(): { id?: string | undefined };
	getNode(): INode;
	getNodeParameter(name: string, fallback?: unknown): unknown;
	getWorkflowStaticData(type: string): IDataObject;
	getCredentials(type: string): Promise<IDataObject>;
	helpers: { httpRequest(options: IHttpRequestOptions): Promise<unknown> };
}

export function runtimeKey(ctx: StoreContext, manual: boolean): string {
	return `${ctx.getWorkflow().id ?? 'unsaved'}:${ctx.getNode().id}:${manual ? 'test' : 'live'}`;
}

/** Decrypting credentials costs more than counting an event: re-read them at most every few seconds. */
const CREDENTIALS_CACHE_MS = 5000;
const credentialsCache = new Map<string, { data: IDataObject; at: number }>();

export async function cachedCredentials(ctx: StoreContext, type: string): Promise<IDataObject> {
	const key = `${ctx.getWorkflow().id}:${ctx.getNode().id}:${type}`;
	const now = Date.now();
	const known = credentialsCache.get(key);
	if (known !== undefined && now - known.at < CREDENTIALS_CACHE_MS) return known.data;
	const data = await ctx.getCredentials(type);
	credentialsCache.set(key, { data, at: now });
	return data;
}

function restSender(ctx: StoreContext, credentials: IDataObject) {
	const base = String(credentials.url ?? '').replace(/\/+$/, '');
	const token = String(credentials.token ?? '');
	// Upstash answers a Redis error with 400 {error}: the store reads it; anything else is no answer.
	return async (path: string, body: unknown) => {
		const response = (await ctx.helpers.httpRequest({
			method: 'POST',
			url: `${base}${path}`,
			body: body as IDataObject,
			json: true,
			headers: { Authorization: `Bearer ${token}` },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { statusCode: number; body: unknown };
		if (response.statusCode !== 200 && response.statusCode !== 400) {
			throw new NodeApiError(ctx.getNode() as INode, { message: `Redis REST endpoint answered HTTP ${response.statusCode}` } as JsonObject, {
				message: `The shared store at ${base} answered HTTP ${response.statusCode}`,
				description: response.statusCode === 401 ? 'Check the token of the PQL Redis REST API credential' : undefined,
			});
		}
		return response.body;
	};
}

/** The runtime (store and all) for this node: the built-in store, restored from static data, or the shared store. */
export async function openRuntime(ctx: StoreContext, manual: boolean, settings: TriggerSettings): Promise<TriggerRuntime> {
	const key = runtimeKey(ctx, manual);
	const { options } = settings;
	if (manual || ctx.getNodeParameter('stateStore', 'builtIn') === 'builtIn') {
		const maxAccounts = options.maxAccounts ?? DEFAULT_MAX_ACCOUNTS;
		// Test events are scored in a store of their own: they never count towards live state.
		return triggerRuntime(key, `builtIn:${maxAccounts}`, (created) => {
			const memory = new MemoryStateStore({ maxAccounts });
			if (!manual) restoreSaved(created, memory, ctx.getWorkflowStaticData('node'));
			return { store: memory, memory };
		});
	}
	const credentials = await cachedCredentials(ctx, 'pqlRedisRestApi');
	const keyPrefix = String(credentials.keyPrefix ?? 'pql:');
	const namespace = options.redisNamespace?.trim() || `${ctx.getWorkflow().id}:${ctx.getNode().id}`;
	const storeKey = JSON.stringify({ url: credentials.url, keyPrefix, namespace, retentionMs: settings.retentionMs });
	const runtime = triggerRuntime(key, storeKey, (created) => ({
		store: new RestStateStore({
			send: async (path, body) => await created.send!(path, body),
			sleep: async (ms) => await sleep(ms),
			keyPrefix,
			namespace,
			retentionMs: settings.retentionMs,
		}),
	}));
	runtime.send = restSender(ctx, credentials);
	return runtime;
}

/** Loads the built-in store from static data (the full snapshot, then its journal over it), as the runtime's. */
export function restoreSaved(runtime: TriggerRuntime, memory: MemoryStateStore, staticData: IDataObject, now = Date.now()): void {
	const saved = staticData[STATE_KEY] as string | undefined;
	const journal = staticData[JOURNAL_KEY] as string | undefined;
	const started = Date.now();
	if (!memory.restore(saved)) return;
	runtime.snapshotText = saved;
	// Its segments stay (the snapshot on disk lacks their documents), each as the commit it loaded as.
	runtime.journal = (memory.restoreJournal(journal) ?? []).map((segment) => ({ ...segment, at: now }));
	runtime.snapshotLength = (saved?.length ?? 0) + (journal?.length ?? 0);
	// The snapshot restored is the last full one: the next is spaced from now, by about what reading it took.
	runtime.lastSavedAt = started;
	runtime.lastSaveMs = Date.now() - started;
}

/** Saves the built-in store's full snapshot into the workflow's static data (n8n writes it to its database). */
export function saveSnapshot(ctx: StoreContext, runtime: TriggerRuntime, now: number): void {
	if (runtime.memory === undefined) return;
	const save = ++runtime.saves;
	const mark = runtime.memory.commits;
	const started = Date.now();
	const text = runtime.memory.snapshot();
	// Written with its journal, empty: nothing commits while it is built in one go.
	if (builtSnapshot(runtime, { save, mark, text, busyMs: Date.now() - started }, now)) saveJournal(ctx, runtime, now);
}

/** Each step of a snapshot built in the background is followed by a pause this many times as long. */
const STEP_PAUSE_FACTOR = 3;

/**
 * The same, built in the background in steps, each followed by a pause 3× as long (the requests
 * answered meanwhile get most of the time: a snapshot of 50,000 accounts takes about 2 s of work).
 * It holds the state at the call, and reaches static data with the next journal (saveJournal).
 */
export async function buildSnapshotInSteps(runtime: TriggerRuntime, now: number): Promise<void> {
	if (runtime.memory === undefined || runtime.snapshotting) return;
	runtime.snapshotting = true;
	try {
		const save = ++runtime.saves;
		// Taken now: the requests answered meanwhile do not start another one.
		runtime.lastSavedAt = now;
		// The steps take the state at their first one, run before runStepsPausing first awaits.
		const mark = runtime.memory.commits;
		const built = await runStepsPausing(runtime.memory.snapshotSteps(), async (stepMs) => await sleep(stepMs * STEP_PAUSE_FACTOR));
		builtSnapshot(runtime, { save, mark, text: built.value, busyMs: built.busyMs }, now);
	} finally {
		runtime.snapshotting = false;
	}
}

interface BuiltSnapshot {
	/** Its number among the saves begun, and the store's commit count when it was begun. */
	save: number;
	mark: number;
	text: string;
	busyMs: number;
}

/** The snapshot every journal is written with from now on (none are written with an older one). */
function builtSnapshot(runtime: TriggerRuntime, built: BuiltSnapshot, now: number): boolean {
	runtime.lastSaveMs = built.busyMs;
	runtime.lastSavedAt = Math.max(runtime.lastSavedAt, now);
	// A snapshot begun later is in use already (it holds everything this one does): an older one must not follow it.
	if (built.save < runtime.savesWritten) return false;
	runtime.savesWritten = built.save;
	runtime.snapshotText = built.text;
	runtime.memory!.fullSnapshotWritten(built.mark, now);
	// Segments built before the snapshot was begun hold nothing it lacks.
	runtime.journal = runtime.journal?.filter((segment) => segment.mark > built.mark);
	return true;
}

/**
 * At this many segments, the newer half and what changed since are written as one segment (their
 * documents once each): restores stay quick, and no save rebuilds everything since the full snapshot.
 */
export const MAX_JOURNAL_SEGMENTS = 16;

/**
 * Saves the documents changed since the last full snapshot (a journal: its cost follows the changes,
 * not the state's size), with that snapshot: every write of this request's copy of the static data
 * holds a full snapshot and the journal that goes with it. The journal grows by segments: each holds
 * what changed since the segment before, so a save costs what changed since the last save.
 */
export function saveJournal(ctx: StoreContext, runtime: TriggerRuntime, now: number): void {
	const memory = runtime.memory;
	if (memory === undefined) return;
	let segments = runtime.journal ?? [];
	const last = segments[segments.length - 1];
	// Commits since the last segment (or full snapshot): a full snapshot begun since counts `changes` from its start only.
	if (memory.changes > 0 || memory.commits > (last?.mark ?? memory.snapshotMark)) {
		const mark = memory.commits;
		if (segments.length >= MAX_JOURNAL_SEGMENTS) segments = segments.slice(0, MAX_JOURNAL_SEGMENTS / 2);
		const since = segments[segments.length - 1];
		segments = [...segments, { text: since === undefined ? memory.journal() : memory.journal(since), mark, at: now }];
	}
	runtime.journal = segments;
	const journal = segments.map((segment) => segment.text).join(JOURNAL_SEPARATOR);
	const staticData = ctx.getWorkflowStaticData('node');
	staticData[STATE_KEY] = runtime.snapshotText ?? '';
	staticData[JOURNAL_KEY] = journal;
	runtime.snapshotLength = (runtime.snapshotText?.length ?? 0) + journal.length;
	runtime.lastJournalAt = now;
}

/**
 * Full snapshots take at most this share of the time: a large state (a snapshot takes ~2 s of work at
 * 50,000 accounts) is saved whole less often than Save State Every, and by journals in between.
 */
export const SAVE_TIME_SHARE = 0.05;

/**
 * What to save after a request: a journal for a crossing (at once, and cheap) or every saveEveryMs
 * (0 = after every request); and a full snapshot (built in the background) every saveEveryMs too,
 * spaced by the time one takes.
 */
export function saveDue(runtime: TriggerRuntime, fired: boolean, now: number, saveEveryMs: number): { journal: boolean; snapshot: boolean } {
	const memory = runtime.memory;
	if (memory === undefined || memory.changes === 0) return { journal: false, snapshot: false };
	return {
		journal: fired || now - (runtime.lastJournalAt ?? 0) >= saveEveryMs,
		snapshot: !runtime.snapshotting && now - runtime.lastSavedAt >= Math.max(saveEveryMs, (runtime.lastSaveMs ?? 0) / SAVE_TIME_SHARE),
	};
}
