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
/** Between journal segments in static data: a character no compressed snapshot holds (see compress.ts). */
export const JOURNAL_SEPARATOR = ' ';
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

/**
 * The state static data holds: the full snapshot with the journal saved since over it (as restore and
 * restoreJournal load them), for tests and diagnostics. Before the first full snapshot the journal
 * holds everything.
 */
export function readSavedState(snapshot: string | undefined, journal: string | undefined): SnapshotContents | undefined {
	let state = snapshot ? readSnapshot(snapshot) : undefined;
	if (snapshot && state === undefined) return undefined;
	for (const segment of (journal ?? '').split(JOURNAL_SEPARATOR)) {
		const over = segment ? readSnapshot(segment) : undefined;
		if (over !== undefined) state = state === undefined ? over : overlay(state, over);
	}
	return state;
}

/** A journal's contents over an earlier state: its documents replace theirs, its event ids join, its outbox is the outbox. */
function overlay(base: SnapshotContents, over: SnapshotContents): SnapshotContents {
	const byId = <T extends { id: string }>(older: T[], newer: T[]) => [...new Map([...older, ...newer].map((doc) => [doc.id, doc])).values()];
	const seenBefore = new Set(base.seen.map(([id]) => id));
	return {
		savedAt: over.savedAt,
		accounts: byId(base.accounts, over.accounts),
		users: byId(base.users, over.users),
		seen: [...base.seen, ...over.seen.filter(([id]) => !seenBefore.has(id))],
		outbox: over.outbox,
	};
}

export class StoreStoppedError extends Error {
	constructor() {
		super('n8n is stopping: the events were not stored, send them again');
	}
}

/** Documents read from their JSON texts, SNAPSHOT_SLICE at a time. */
function* parsedInSteps<T>(texts: readonly string[]): Steps<T[]> {
	const docs: T[] = [];
	for (let start = 0; start < texts.length; start += SNAPSHOT_SLICE) {
		const end = Math.min(texts.length, start + SNAPSHOT_SLICE);
		for (let i = start; i < end; i++) docs.push(JSON.parse(texts[i]) as T);
		yield;
	}
	return docs;
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
 *
 * Documents are kept as JSON text: a string is one object for n8n's garbage collector where a parsed
 * document is dozens, and n8n's pauses grew with the state (README, "Capacity of the built-in store").
 */
export class MemoryStateStore implements StateStore {
	private readonly accounts = new Map<string, string>();
	private readonly users = new Map<string, string>();
	/** Documents' touchedAt, so that forgetting idle ones reads no JSON. */
	private readonly accountTouchedAt = new Map<string, number>();
	private readonly userTouchedAt = new Map<string, number>();
	/** Event id → expiry; with one TTL, Map order is expiry order. */
	private readonly seen = new Map<string, number>();
	private readonly due = new DueIndex();
	private readonly outbox = new Map<string, OutboxEntry>();
	private readonly dedupeTtlMs: number;
	private readonly maxRememberedEvents: number;
	readonly maxAccounts: number;
	private readonly now: () => number;
	/** Commits since the last snapshot or journal. */
	changes = 0;
	/**
	 * Commits so far, and the commit that last wrote each document since the last full snapshot
	 * written (see fullSnapshotWritten): a journal holds those documents.
	 */
	commits = 0;
	private fullSnapshotMark = 0;
	private fullSnapshotAt = -Infinity;
	private readonly accountWrittenAt = new Map<string, number>();
	private readonly userWrittenAt = new Map<string, number>();
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
					accounts.set(id, JSON.parse(known) as AccountDoc);
				}
				return accounts.get(id);
			},
			user: (id) => {
				if (!users.has(id)) {
					const known = this.users.get(id);
					if (known === undefined) return undefined;
					users.set(id, JSON.parse(known) as UserDoc);
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
		const commit = ++this.commits;
		for (const [id, at] of due) {
			this.due.set(id, at);
			if (!written.accounts.has(id) && !this.accounts.has(id)) continue;
			const doc = tx.account(id)!;
			doc.dueAt = at;
			written.accounts.add(id);
		}
		for (const id of written.accounts) {
			const doc = accounts.get(id)!;
			compactAccount(doc);
			this.setAccount(doc);
			this.accountWrittenAt.set(id, commit);
		}
		for (const id of written.users) {
			const doc = users.get(id)!;
			compactUser(doc);
			this.setUser(doc);
			this.userWrittenAt.set(id, commit);
		}
		for (const id of seen) this.rememberEvent(id, now);
		for (const entry of fires) this.outbox.set(entry.fireId, entry);
		if (written.accounts.size + written.users.size + seen.size + fires.length > 0) this.changes++;
		return result;
	}

	private setAccount(doc: AccountDoc): void {
		this.accounts.set(doc.id, JSON.stringify(doc));
		this.accountTouchedAt.set(doc.id, doc.touchedAt);
	}

	private setUser(doc: UserDoc): void {
		this.users.set(doc.id, JSON.stringify(doc));
		this.userTouchedAt.set(doc.id, doc.touchedAt);
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
		for (const [id, touchedAt] of this.accountTouchedAt) {
			if (now - touchedAt <= retentionMs || waiting.has(id)) continue;
			this.accounts.delete(id);
			this.accountTouchedAt.delete(id);
			this.accountWrittenAt.delete(id);
			this.due.set(id, undefined);
			forgotten++;
		}
		for (const [id, touchedAt] of this.userTouchedAt) {
			if (now - touchedAt <= retentionMs) continue;
			this.users.delete(id);
			this.userTouchedAt.delete(id);
			this.userWrittenAt.delete(id);
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
	 * A full snapshot begun at commit `mark` (read `commits` just before building it), at `begunAt`, is
	 * in static data now: journals hold the documents written and the event ids remembered after it.
	 */
	fullSnapshotWritten(mark: number, begunAt: number): void {
		if (mark < this.fullSnapshotMark) return;
		this.fullSnapshotMark = mark;
		this.fullSnapshotAt = begunAt;
		for (const writtenAt of [this.accountWrittenAt, this.userWrittenAt]) {
			for (const [id, commit] of writtenAt) if (commit <= this.fullSnapshotMark) writtenAt.delete(id);
		}
	}

	/** The commit count the last full snapshot written was begun at. */
	get snapshotMark(): number {
		return this.fullSnapshotMark;
	}

	/**
	 * A snapshot of the documents written since the last full snapshot written, with the recent
	 * event ids and the whole outbox: restored over that full snapshot (restoreJournal), it gives the
	 * state now. Its cost follows the documents changed, not the state's size.
	 *
	 * With `since` (the commit count and time of an earlier journal), only what changed after that
	 * journal: a segment, restored after it (see JOURNAL_SEPARATOR), so that each save costs what
	 * changed since the previous one.
	 */
	journal(since?: { mark: number; at: number }): string {
		const after = since?.mark ?? -Infinity;
		const ids = (writtenAt: Map<string, number>) => {
			const written: string[] = [];
			writtenAt.forEach((commit, id) => void (commit > after && written.push(id)));
			return written;
		};
		// A second of margin: the snapshot's clock and the caller's may differ by the time it took to start.
		const seenSince = Math.max(this.fullSnapshotAt, since?.at ?? -Infinity) - 1000;
		return runSteps(this.snapshotSteps({ accounts: ids(this.accountWrittenAt), users: ids(this.userWrittenAt), seenSince }));
	}

	/**
	 * The same, built in steps (SNAPSHOT_SLICE documents, then one compressed block, at a time). It is
	 * the state at the call: commits during the steps replace the texts in the maps, and count as
	 * changes for the next snapshot.
	 */
	*snapshotSteps(only?: { accounts: string[]; users: string[]; seenSince: number }): Steps<string> {
		const now = this.now();
		const seenSince = Math.max(now - SNAPSHOT_SEEN_MS, only?.seenSince ?? -Infinity);
		const seen: Array<[string, number]> = [];
		this.seen.forEach((expiresAt, id) => void (expiresAt - this.dedupeTtlMs > seenSince && seen.push([id, expiresAt])));
		if (seen.length > SNAPSHOT_SEEN_MAX) seen.splice(0, seen.length - SNAPSHOT_SEEN_MAX);
		const textsOf = (texts: Map<string, string>, ids: string[] | undefined) => (ids === undefined ? [...texts.values()] : ids.map((id) => texts.get(id)!));
		const accountTexts = textsOf(this.accounts, only?.accounts);
		const userTexts = textsOf(this.users, only?.users);
		const outbox = [...this.outbox.values()];
		this.changes = 0;
		const accountDocs = yield* parsedInSteps<AccountDoc>(accountTexts);
		const accountIds = new DocIds(accountDocs.map((doc) => doc.id));
		const userDocs = usersInChainOrder(yield* parsedInSteps<UserDoc>(userTexts), accountIds);
		const context: PackContext = {
			table: new StringTable(),
			modelVersion: accountDocs[0]?.modelVersion,
			savedAt: now,
			accountIds,
			userIds: new DocIds(userDocs.map((doc) => doc.id)),
			chain: newChain(accountDocs),
		};
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

	/** Loads a snapshot; returns false (and keeps the store as it was, empty at first) for one it cannot read. */
	restore(text: string | undefined): boolean {
		return this.load(text, false);
	}

	/**
	 * Loads a journal (see journal(): one, or segments joined by JOURNAL_SEPARATOR, in order) over the
	 * full snapshot restored: its documents stay in the next journals, since the full snapshot in
	 * static data still lacks them. Returns each segment with the commit count after it (a segment
	 * loads as one commit), or undefined when one could not be read (those before it are loaded).
	 */
	restoreJournal(text: string | undefined): Array<{ text: string; mark: number }> | undefined {
		const segments: Array<{ text: string; mark: number }> = [];
		for (const segment of text ? text.split(JOURNAL_SEPARATOR) : []) {
			if (!this.load(segment, true)) return undefined;
			segments.push({ text: segment, mark: this.commits });
		}
		return segments;
	}

	private load(text: string | undefined, journal: boolean): boolean {
		if (text === undefined || text === '') return true;
		let snapshot: ReturnType<typeof readSnapshot>;
		try {
			snapshot = readSnapshot(text);
		} catch {
			return false;
		}
		if (snapshot === undefined) return false;
		const commit = journal ? ++this.commits : 0;
		for (const doc of snapshot.accounts) {
			this.setAccount(doc);
			this.due.set(doc.id, doc.dueAt);
			if (journal) this.accountWrittenAt.set(doc.id, commit);
		}
		for (const doc of snapshot.users) {
			this.setUser(doc);
			if (journal) this.userWrittenAt.set(doc.id, commit);
		}
		for (const [id, expiresAt] of snapshot.seen) if (!this.seen.has(id)) this.seen.set(id, expiresAt);
		// A snapshot holds the whole outbox: crossings delivered since the full snapshot are not in the journal's.
		this.outbox.clear();
		for (const entry of snapshot.outbox) this.outbox.set(entry.fireId, entry);
		return true;
	}

	/** Read-only access for tests and diagnostics. */
	peekAccount(id: string): AccountDoc | undefined {
		const text = this.accounts.get(id);
		return text === undefined ? undefined : (JSON.parse(text) as AccountDoc);
	}
	peekUser(id: string): UserDoc | undefined {
		const text = this.users.get(id);
		return text === undefined ? undefined : (JSON.parse(text) as UserDoc);
	}
	accountIds(): string[] {
		return [...this.accounts.keys()];
	}

	async close(): Promise<void> {}
}
