import { compactAccount, compactUser } from './apply';
import { columnJson, fromColumn, type Column } from './columns';
import { compressTextInSteps, decompressText, isCompressedText } from './compress';
import type { AccountDoc, UserDoc } from './docs';
import { DueIndex } from './dueIndex';
import { DocIds, newChain, packAccount, packUser, StringTable, unpackAccount, unpackUser, usersInChainOrder, type PackContext } from './snapshotCodec';
import { runSteps, type Steps } from './steps';
import { DEDUPE_TTL_MS, type OutboxEntry, type StateStore, type StoreTransaction } from './store';

/**
 * Version of the snapshot JSON; this one, 4 (references and times not chained, event ids as rows), 3
 * (documents as rows) and 2 are read, others are not (the trigger starts fresh).
 */
export const SNAPSHOT_FORMAT = 5;
/** How deep packed documents are split into columns (see columns.ts): deeper measured no smaller. */
const COLUMN_DEPTH = 2;

/** Event ids saved in snapshots: those of the last hour, at most this many (Segment retries most failures within minutes). */
export const SNAPSHOT_SEEN_MS = 60 * 60 * 1000;
export const SNAPSHOT_SEEN_MAX = 5_000;
/** Documents packed per step of a snapshot built in steps (a few milliseconds each). */
const SNAPSHOT_SLICE = 2_000;
/** Event ids remembered in memory at most (oldest forgotten first). */
export const MAX_REMEMBERED_EVENTS = 100_000;
/**
 * Accounts the built-in store holds at most: past it, events of new accounts are refused. n8n reads
 * the workflow's whole static data on every webhook request, so the request rate falls as the
 * snapshot grows (measured: README, "Capacity of the built-in store").
 */
export const DEFAULT_MAX_ACCOUNTS = 10_000;

export interface MemoryStoreOptions {
	dedupeTtlMs?: number;
	maxRememberedEvents?: number;
	maxAccounts?: number;
	now?: () => number;
}

/** The snapshot JSON (documents packed: see snapshotCodec.ts). */
interface Snapshot {
	format: number;
	savedAt: number;
	/** The model version of the first account, usually of all (documents of another one name theirs). */
	model?: string;
	/** Event names, measure keys and trait keys the documents refer to by index. */
	strings: string[];
	/** The packed documents as columns (format 3: as rows), users grouped by account (format 5). */
	accounts: Column | unknown[][];
	users: Column | unknown[][];
	/** [event id, expires at − savedAt], oldest first, as a column (format 4 and earlier: as rows). */
	seen: Column | Array<[string, number]>;
	outbox: OutboxEntry[];
}

interface SnapshotContents {
	savedAt: number;
	accounts: AccountDoc[];
	users: UserDoc[];
	/** [event id, expires at]. */
	seen: Array<[string, number]>;
	outbox: OutboxEntry[];
}

/**
 * The documents, dedupe memory and outbox of a snapshot, unpacked (for restore, tests and
 * diagnostics). Snapshots are saved compressed (compress.ts); uncompressed ones, those of format 3
 * (packed documents as rows) and of format 2 (the same documents as plain JSON), saved by earlier
 * versions, are read too.
 */
export function readSnapshot(text: string): SnapshotContents | undefined {
	let snapshot: Snapshot;
	try {
		snapshot = JSON.parse(isCompressedText(text) ? decompressText(text) : text) as Snapshot;
	} catch {
		return undefined;
	}
	if (snapshot?.format === 2) {
		const plain = snapshot as unknown as Partial<SnapshotContents>;
		return { savedAt: plain.savedAt ?? 0, accounts: plain.accounts ?? [], users: plain.users ?? [], seen: plain.seen ?? [], outbox: plain.outbox ?? [] };
	}
	if (snapshot?.format !== SNAPSHOT_FORMAT && snapshot?.format !== 4 && snapshot?.format !== 3) return undefined;
	const rows = (packed: Column | unknown[][]) => (snapshot.format === 3 ? packed : fromColumn(packed as Column)) as unknown[][];
	const accounts = rows(snapshot.accounts);
	const users = rows(snapshot.users);
	const context: PackContext = {
		table: new StringTable(snapshot.strings),
		modelVersion: snapshot.model,
		savedAt: snapshot.savedAt,
		accountIds: new DocIds(accounts.map((packed) => packed[0] as string)),
		userIds: new DocIds(users.map((packed) => packed[0] as string)),
		chain: snapshot.format === SNAPSHOT_FORMAT ? newChain() : undefined,
	};
	// In this order: a chained user's time is read relative to its account's.
	const accountDocs = accounts.map((packed) => unpackAccount(packed, context));
	const userDocs = users.map((packed) => unpackUser(packed, context));
	return {
		savedAt: snapshot.savedAt,
		accounts: accountDocs,
		users: userDocs,
		seen: (snapshot.format === SNAPSHOT_FORMAT ? (fromColumn(snapshot.seen as Column) as Array<[string, number]>) : (snapshot.seen as Array<[string, number]>)).map(([id, expiresIn]) => [id, snapshot.savedAt + expiresIn]),
		outbox: snapshot.outbox,
	};
}

export class StoreStoppedError extends Error {
	constructor() {
		super('n8n is stopping: the events were not stored, send them again');
	}
}

function copy<T>(value: T): T {
	return structuredClone(value);
}

/** Documents packed, SNAPSHOT_SLICE at a time, then written as columns (JSON). */
function* packedInSteps<T>(docs: readonly T[], pack: (doc: T) => unknown[]): Steps<string> {
	const packed: unknown[][] = [];
	for (let start = 0; start < docs.length; start += SNAPSHOT_SLICE) {
		const end = Math.min(docs.length, start + SNAPSHOT_SLICE);
		for (let i = start; i < end; i++) packed.push(pack(docs[i]));
		yield;
	}
	return yield* columnJson(packed, COLUMN_DEPTH);
}

/**
 * The built-in store: documents live in this process, and the trigger saves snapshots in the
 * workflow's static data. A transaction works on copies and commits synchronously, so nothing
 * interleaves and a failed request leaves no trace.
 */
export class MemoryStateStore implements StateStore {
	private readonly accounts = new Map<string, AccountDoc>();
	private readonly users = new Map<string, UserDoc>();
	/** Event id → expiry; with one TTL, Map order is expiry order. */
	private readonly seen = new Map<string, number>();
	private readonly due = new DueIndex();
	private readonly outbox = new Map<string, OutboxEntry>();
	private readonly dedupeTtlMs: number;
	private readonly maxRememberedEvents: number;
	readonly maxAccounts: number;
	private readonly now: () => number;
	/** Commits since the last snapshot. */
	changes = 0;
	/** Takes no transaction while set (n8n is stopping: its last snapshot is being saved). */
	stopped = false;

	constructor(options: MemoryStoreOptions = {}) {
		this.dedupeTtlMs = options.dedupeTtlMs ?? DEDUPE_TTL_MS;
		this.maxRememberedEvents = options.maxRememberedEvents ?? MAX_REMEMBERED_EVENTS;
		this.maxAccounts = options.maxAccounts ?? DEFAULT_MAX_ACCOUNTS;
		this.now = options.now ?? Date.now;
	}

	get accountCount(): number {
		return this.accounts.size;
	}

	async transact<T>(work: (tx: StoreTransaction) => T): Promise<T> {
		return this.transactNow(work);
	}

	/** The same, synchronously (the built-in store has nothing to wait for). */
	transactNow<T>(work: (tx: StoreTransaction) => T): T {
		if (this.stopped) throw new StoreStoppedError();
		const now = this.now();
		const accounts = new Map<string, AccountDoc>();
		const users = new Map<string, UserDoc>();
		const written = { accounts: new Set<string>(), users: new Set<string>() };
		const seen = new Set<string>();
		const due = new Map<string, number | undefined>();
		const fires: OutboxEntry[] = [];
		let added = 0;
		const tx: StoreTransaction = {
			account: (id) => {
				if (!accounts.has(id)) {
					const known = this.accounts.get(id);
					if (known === undefined) return undefined;
					accounts.set(id, copy(known));
				}
				return accounts.get(id);
			},
			user: (id) => {
				if (!users.has(id)) {
					const known = this.users.get(id);
					if (known === undefined) return undefined;
					users.set(id, copy(known));
				}
				return users.get(id);
			},
			putAccount: (doc) => {
				if (!this.accounts.has(doc.id) && !written.accounts.has(doc.id)) added++;
				accounts.set(doc.id, doc);
				written.accounts.add(doc.id);
			},
			putUser: (doc) => {
				users.set(doc.id, doc);
				written.users.add(doc.id);
			},
			canAddAccount: () => this.accounts.size + added < this.maxAccounts,
			isNewEvent: (eventId) => {
				if (seen.has(eventId)) return false;
				const expiresAt = this.seen.get(eventId);
				if (expiresAt !== undefined && expiresAt > now) return false;
				seen.add(eventId);
				return true;
			},
			setDue: (accountId, at) => void due.set(accountId, at),
			fire: (entry) => void fires.push(entry),
		};
		const result = work(tx);
		for (const id of written.accounts) {
			const doc = accounts.get(id)!;
			compactAccount(doc);
			this.accounts.set(id, doc);
		}
		for (const id of written.users) {
			const doc = users.get(id)!;
			compactUser(doc);
			this.users.set(id, doc);
		}
		for (const id of seen) this.rememberEvent(id, now);
		for (const [id, at] of due) {
			this.due.set(id, at);
			const doc = this.accounts.get(id);
			if (doc === undefined) continue;
			// A document this commit did not write may be held by a snapshot being built in steps: replaced, not changed.
			if (written.accounts.has(id)) doc.dueAt = at;
			else this.accounts.set(id, { ...doc, dueAt: at });
		}
		for (const entry of fires) this.outbox.set(entry.fireId, entry);
		if (written.accounts.size + written.users.size + seen.size + fires.length > 0) this.changes++;
		return result;
	}

	private rememberEvent(eventId: string, now: number): void {
		this.seen.delete(eventId);
		this.seen.set(eventId, now + this.dedupeTtlMs);
		for (const [id, expiresAt] of this.seen) {
			if (expiresAt > now && this.seen.size <= this.maxRememberedEvents) break;
			this.seen.delete(id);
		}
	}

	async dueAccounts(now: number, limit: number): Promise<string[]> {
		return this.due.due(now, limit);
	}

	async pendingFires(limit: number): Promise<OutboxEntry[]> {
		return [...this.outbox.values()].slice(0, limit);
	}

	async delivered(fireIds: string[]): Promise<void> {
		for (const id of fireIds) if (this.outbox.delete(id)) this.changes++;
	}

	/**
	 * Forgets documents nothing has touched for `retentionMs` (every window empty, cooldown over:
	 * see stateRetentionMs), unless a crossing of theirs still waits in the outbox.
	 */
	forgetIdle(now: number, retentionMs: number): number {
		if (!Number.isFinite(retentionMs)) return 0;
		const waiting = new Set([...this.outbox.values()].map((entry) => entry.accountId));
		let forgotten = 0;
		for (const [id, doc] of this.accounts) {
			if (now - doc.touchedAt <= retentionMs || waiting.has(id)) continue;
			this.accounts.delete(id);
			this.due.set(id, undefined);
			forgotten++;
		}
		for (const [id, doc] of this.users) {
			if (now - doc.touchedAt <= retentionMs) continue;
			this.users.delete(id);
			forgotten++;
		}
		if (forgotten > 0) this.changes++;
		return forgotten;
	}

	/** The documents, recent event ids and outbox as one string (compressed JSON) for the workflow's static data. */
	snapshot(): string {
		return runSteps(this.snapshotSteps());
	}

	/**
	 * The same, built in steps (SNAPSHOT_SLICE documents, then one compressed block, at a time). It is
	 * the state at the call: commits during the steps replace documents in the maps, never change the
	 * ones taken, and count as changes for the next snapshot.
	 */
	*snapshotSteps(): Steps<string> {
		const now = this.now();
		const seen = [...this.seen].filter(([, expiresAt]) => expiresAt - this.dedupeTtlMs > now - SNAPSHOT_SEEN_MS).slice(-SNAPSHOT_SEEN_MAX);
		const accountDocs = [...this.accounts.values()];
		const accountIds = new DocIds(accountDocs.map((doc) => doc.id));
		const userDocs = usersInChainOrder([...this.users.values()], accountIds);
		const outbox = [...this.outbox.values()];
		const context: PackContext = {
			table: new StringTable(),
			modelVersion: accountDocs[0]?.modelVersion,
			savedAt: now,
			accountIds,
			userIds: new DocIds(userDocs.map((doc) => doc.id)),
			chain: newChain(accountDocs),
		};
		this.changes = 0;
		const accounts = yield* packedInSteps(accountDocs, (doc) => packAccount(doc, context));
		const users = yield* packedInSteps(userDocs, (doc) => packUser(doc, context));
		const seenIds = yield* columnJson(seen.map(([id, expiresAt]) => [id, expiresAt - now]), 1);
		// The columns are JSON already; the rest of the snapshot goes around them.
		const rest: Omit<Snapshot, 'accounts' | 'users' | 'seen'> = {
			format: SNAPSHOT_FORMAT,
			savedAt: now,
			model: context.modelVersion,
			strings: context.table.strings,
			outbox,
		};
		const json = `${JSON.stringify(rest).slice(0, -1)},"seen":${seenIds},"accounts":${accounts},"users":${users}}`;
		return yield* compressTextInSteps(json);
	}

	/** Loads a snapshot; returns false (and keeps an empty store) for one it cannot read. */
	restore(text: string | undefined): boolean {
		if (text === undefined || text === '') return true;
		let snapshot: ReturnType<typeof readSnapshot>;
		try {
			snapshot = readSnapshot(text);
		} catch {
			return false;
		}
		if (snapshot === undefined) return false;
		for (const doc of snapshot.accounts) {
			this.accounts.set(doc.id, doc);
			if (doc.dueAt !== undefined) this.due.set(doc.id, doc.dueAt);
		}
		for (const doc of snapshot.users) this.users.set(doc.id, doc);
		for (const [id, expiresAt] of snapshot.seen) this.seen.set(id, expiresAt);
		for (const entry of snapshot.outbox) this.outbox.set(entry.fireId, entry);
		return true;
	}

	/** Read-only access for tests and diagnostics. */
	peekAccount(id: string): AccountDoc | undefined {
		return this.accounts.get(id);
	}
	peekUser(id: string): UserDoc | undefined {
		return this.users.get(id);
	}
	accountIds(): string[] {
		return [...this.accounts.keys()];
	}

	async close(): Promise<void> {}
}
