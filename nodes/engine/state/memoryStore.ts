import { canForgetAccount, STATE_FORMAT, type AccountState } from './accountState';
import { DEDUPE_TTL_MS, type AccountMutation, type StateStore } from './store';

/** Version of the snapshot JSON; restore refuses versions it does not know. */
export const SNAPSHOT_FORMAT = 1;

/** Event ids saved in snapshots: those of the last hour, at most this many (Segment retries most failures within minutes). */
export const SNAPSHOT_SEEN_MS = 60 * 60 * 1000;
export const SNAPSHOT_SEEN_MAX = 5_000;

/** Event ids remembered in memory at most (oldest forgotten first): about 5 MB. */
export const MAX_REMEMBERED_EVENTS = 100_000;
/** User → account links remembered at most (least recently linked forgotten first). */
export const MAX_REMEMBERED_USERS = 100_000;

export interface MemoryStoreOptions {
	dedupeTtlMs?: number;
	maxRememberedEvents?: number;
	/** Idle time after which an account holding nothing else is left out of snapshots (stateRetentionMs). Default: never. */
	retentionMs?: number;
	now?: () => number;
}

interface Snapshot {
	format: number;
	stateFormat: number;
	savedAt: number;
	accounts: AccountState[];
	/** [event id, expires at] pairs, oldest first. */
	seen: Array<[string, number]>;
	/** [user id, account id] pairs, least recently linked first. */
	users?: Array<[string, string]>;
}

/**
 * The built-in store: state lives in this process (the trigger saves snapshots in the workflow's
 * static data). JavaScript runs one callback at a time, so a synchronous read-mutate-write of an
 * account cannot interleave with another: every update is atomic without locks.
 */
export class MemoryStateStore implements StateStore {
	private readonly accounts = new Map<string, AccountState>();
	/** Event id → expiry; Map order is insertion order, and with one TTL that is expiry order. */
	private readonly seen = new Map<string, number>();
	/** User id → account id; Map order is the order of the latest link. */
	private readonly userAccounts = new Map<string, string>();
	private readonly dedupeTtlMs: number;
	private readonly maxRememberedEvents: number;
	private retentionMs: number;
	private readonly now: () => number;

	constructor(options: MemoryStoreOptions = {}) {
		this.dedupeTtlMs = options.dedupeTtlMs ?? DEDUPE_TTL_MS;
		this.maxRememberedEvents = options.maxRememberedEvents ?? MAX_REMEMBERED_EVENTS;
		this.retentionMs = options.retentionMs ?? Infinity;
		this.now = options.now ?? Date.now;
	}

	async isNewEvent(eventId: string): Promise<boolean> {
		const now = this.now();
		this.forgetExpired(now);
		const expiresAt = this.seen.get(eventId);
		if (expiresAt !== undefined && expiresAt > now) return false;
		this.seen.delete(eventId);
		this.seen.set(eventId, now + this.dedupeTtlMs);
		while (this.seen.size > this.maxRememberedEvents) this.seen.delete(this.seen.keys().next().value!);
		return true;
	}

	async forgetEvent(eventId: string): Promise<void> {
		this.seen.delete(eventId);
	}

	async linkUser(userId: string, accountId: string): Promise<void> {
		this.userAccounts.delete(userId);
		this.userAccounts.set(userId, accountId);
		if (this.userAccounts.size > MAX_REMEMBERED_USERS) this.userAccounts.delete(this.userAccounts.keys().next().value!);
	}

	async accountOfUser(userId: string): Promise<string | undefined> {
		return this.userAccounts.get(userId);
	}

	/** The mutation gets the live state object: if it throws after changing it, the change stays. Validate before mutating. */
	async updateAccount<T>(accountId: string, mutate: AccountMutation<T>): Promise<T> {
		const { state, result } = mutate(this.accounts.get(accountId));
		this.accounts.set(accountId, state);
		return result;
	}

	async close(): Promise<void> {}

	/** The idle time after which accounts holding nothing else are left out of snapshots (it depends on the model, known later). */
	setRetention(retentionMs: number): void {
		this.retentionMs = retentionMs;
	}

	account(accountId: string): AccountState | undefined {
		return this.accounts.get(accountId);
	}

	get accountCount(): number {
		return this.accounts.size;
	}

	get rememberedEventCount(): number {
		return this.seen.size;
	}

	/** Compact JSON of every account worth keeping and of the unexpired event ids. */
	snapshot(): string {
		const now = this.now();
		this.forgetExpired(now);
		for (const [id, state] of this.accounts) {
			if (canForgetAccount(state, now, this.retentionMs)) this.accounts.delete(id);
		}
		const snapshot: Snapshot = {
			format: SNAPSHOT_FORMAT,
			stateFormat: STATE_FORMAT,
			savedAt: now,
			accounts: [...this.accounts.values()],
			seen: this.recentlySeen(now),
			users: [...this.userAccounts],
		};
		return JSON.stringify(snapshot);
	}

	/** Replaces the store's content with a snapshot; an empty or missing snapshot empties the store. */
	restore(json: string | undefined | null): void {
		this.accounts.clear();
		this.seen.clear();
		this.userAccounts.clear();
		if (json === undefined || json === null || json === '') return;
		const snapshot = parseSnapshot(json);
		for (const state of snapshot.accounts) this.accounts.set(state.id, state);
		const now = this.now();
		for (const [id, expiresAt] of snapshot.seen) if (expiresAt > now) this.seen.set(id, expiresAt);
		for (const [userId, accountId] of snapshot.users ?? []) this.userAccounts.set(userId, accountId);
	}

	/**
	 * The event ids worth saving: those received in the last SNAPSHOT_SEEN_MS, newest
	 * SNAPSHOT_SEEN_MAX at most. n8n reads the whole snapshot on every webhook request, so it must
	 * stay small; retries of older deliveries are still caught while this process runs.
	 */
	private recentlySeen(now: number): Array<[string, number]> {
		const since = now - SNAPSHOT_SEEN_MS + this.dedupeTtlMs;
		const recent: Array<[string, number]> = [];
		for (const entry of this.seen) if (entry[1] >= since) recent.push(entry);
		return recent.slice(-SNAPSHOT_SEEN_MAX);
	}

	private forgetExpired(now: number): void {
		for (const [id, expiresAt] of this.seen) {
			if (expiresAt > now) return;
			this.seen.delete(id);
		}
	}
}

function readJson(json: string): { value: unknown } | { syntaxError: Error } {
	try {
		return { value: JSON.parse(json) as unknown };
	} catch (error) {
		return { syntaxError: error as Error };
	}
}

function parseSnapshot(json: string): Snapshot {
	const read = readJson(json);
	if ('syntaxError' in read) throw new Error(`The saved PQL state is not valid JSON (${read.syntaxError.message})`);
	const snapshot = read.value as Snapshot;
	if (snapshot === null || typeof snapshot !== 'object' || snapshot.format !== SNAPSHOT_FORMAT || snapshot.stateFormat !== STATE_FORMAT) {
		const found = snapshot !== null && typeof snapshot === 'object' ? `${snapshot.format}/${snapshot.stateFormat}` : typeof snapshot;
		throw new Error(`The saved PQL state has format ${found}; this version reads format ${SNAPSHOT_FORMAT}/${STATE_FORMAT}`);
	}
	if (!Array.isArray(snapshot.accounts) || !Array.isArray(snapshot.seen)) throw new Error('The saved PQL state is incomplete (accounts or seen missing)');
	return snapshot;
}
