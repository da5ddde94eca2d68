import { createHash, randomInt, randomUUID } from 'crypto';
import type { AccountDoc, UserDoc } from './docs';
import { DEDUPE_TTL_MS, NotLoadedError, type OutboxEntry, type Prefetch, type StateStore, type StoreTransaction } from './store';

/**
 * The shared store: documents, event ids, the due index and the outbox in Redis, spoken to over the
 * Upstash Redis REST protocol (managed Upstash, or any Redis behind a REST bridge such as
 * serverless-redis-http). It opens no socket of its own: every request goes through `send`.
 *
 * A transaction loads what it reads in one `/pipeline` request, runs the work on copies, and commits
 * with one Lua script (`EVAL`) that checks nothing it read changed (versions of documents, absence of
 * event ids) and then writes everything, or nothing. On a conflict the work runs again on fresh data.
 */
export interface RestStoreOptions {
	/**
	 * POSTs `body` as JSON to the REST URL + `path` (`/` or `/pipeline`) with the credential's auth and
	 * resolves with the parsed JSON answer: `{result}` / `{error}` for `/`, an array of them for
	 * `/pipeline`. It should resolve (not throw) when the answer is a Redis error (HTTP 400 with
	 * `{error}`), and throw when there is no answer (network, 401, 5xx).
	 */
	send: (path: string, body: unknown) => Promise<unknown>;
	/** Waits between attempts after a conflict. */
	sleep: (ms: number) => Promise<void>;
	/** Starts every key (the credential's Key Prefix, e.g. `pql:`). */
	keyPrefix: string;
	/** Separates workflows sharing one Redis (e.g. the workflow id): keys are `<keyPrefix>{<namespace>}:…`. */
	namespace: string;
	/** How long a seen event id is remembered; default DEDUPE_TTL_MS. */
	dedupeTtlMs?: number;
	/** Idle time after which Redis drops a document nobody wrote (PEXPIRE on each write); 0 or none: keep. */
	retentionMs?: number;
	/** Commits tried before a transaction gives up on conflicting writers; default DEFAULT_MAX_ATTEMPTS. */
	maxAttempts?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 30;
/** Load rounds (work asking for data not loaded yet) one attempt may take before it counts as a runaway. */
const MAX_LOAD_ROUNDS = 1_000;
/** Event ids longer than this are keyed by their SHA-256 (a 100,000-character id makes no 100 kB key). */
const MAX_PLAIN_EVENT_ID = 200;
const BACKOFF_BASE_MS = 4;
const BACKOFF_CAP_MS = 250;

export interface RestStoreStats {
	/** Commit scripts that landed. */
	commits: number;
	/** Commits refused because another writer changed what the work read (each is followed by a retry). */
	conflicts: number;
	/** Runs of work that asked for data not loaded yet (each is followed by a load and a new run). */
	reloads: number;
	/** HTTP requests sent. */
	requests: number;
}

/**
 * KEYS: due, outbox, outbox order, then `nDocs` document keys, then `nSeen` event-id keys.
 * ARGV: nDocs, nSeen, token, retentionMs, dedupeTtlMs, nDue, nFires, then per document its
 * version read and its new JSON ('' = read only), per due change account id and time ('' = none),
 * per fire its id, time and entry JSON.
 * Checks first (nothing written when one fails: returns 0), then writes (returns 1).
 */
const COMMIT_SCRIPT = `
local nDocs = tonumber(ARGV[1])
local nSeen = tonumber(ARGV[2])
local token = ARGV[3]
local retention = tonumber(ARGV[4])
local dedupe = ARGV[5]
local nDue = tonumber(ARGV[6])
local nFires = tonumber(ARGV[7])
local a = 8
for i = 1, nDocs do
  local v = redis.call('HGET', KEYS[3 + i], 'v')
  if not v then v = '0' end
  if v ~= ARGV[a + (i - 1) * 2] then return 0 end
end
for i = 1, nSeen do
  if redis.call('EXISTS', KEYS[3 + nDocs + i]) == 1 then return 0 end
end
for i = 1, nDocs do
  local json = ARGV[a + (i - 1) * 2 + 1]
  if json ~= '' then
    local key = KEYS[3 + i]
    redis.call('HSET', key, 'v', tostring(tonumber(ARGV[a + (i - 1) * 2]) + 1), 'd', json, 'w', token)
    if retention > 0 then redis.call('PEXPIRE', key, retention) end
  end
end
for i = 1, nSeen do
  redis.call('SET', KEYS[3 + nDocs + i], token, 'PX', dedupe)
end
a = a + nDocs * 2
for i = 1, nDue do
  local id = ARGV[a]
  local at = ARGV[a + 1]
  if at == '' then redis.call('ZREM', KEYS[1], id) else redis.call('ZADD', KEYS[1], at, id) end
  a = a + 2
end
for i = 1, nFires do
  redis.call('HSET', KEYS[2], ARGV[a], ARGV[a + 2])
  redis.call('ZADD', KEYS[3], ARGV[a + 1], ARGV[a])
  a = a + 3
end
return 1
`;

/** KEYS: outbox, outbox order; ARGV: limit. Oldest first; an order entry without its entry is dropped. */
const PENDING_SCRIPT = `
local ids = redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[1]) - 1)
local found = {}
for _, id in ipairs(ids) do
  local entry = redis.call('HGET', KEYS[1], id)
  if entry then table.insert(found, entry) else redis.call('ZREM', KEYS[2], id) end
end
return found
`;

/** KEYS: outbox, outbox order; ARGV: fire ids. */
const DELIVERED_SCRIPT = `
for _, id in ipairs(ARGV) do
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
return #ARGV
`;

/** Redis refused a command (the endpoint answered `{error}`). */
export class RedisReplyError extends Error {
	constructor(
		readonly command: string,
		readonly reply: string,
	) {
		super(`Redis refused ${command}: ${reply}`);
		this.name = 'RedisReplyError';
	}
}

/** A document as loaded: its version ('0' when absent) and JSON (null when absent). */
interface Stored {
	version: string;
	json: string | null;
}

interface Missing {
	accounts: Set<string>;
	users: Set<string>;
	events: Set<string>;
}

/** What one run of the work did, on copies. */
interface Run<T> {
	result?: T;
	/** The work threw this (and was not just missing data). */
	failed?: { error: unknown };
	missing?: Missing;
	/** Document key → new JSON, for documents written (or whose dueAt changed). */
	writes: Map<string, string>;
	/** Document keys read (all of them are checked at commit). */
	reads: Set<string>;
	/** Event ids first seen by this run. */
	seen: Set<string>;
	due: Map<string, number | undefined>;
	fires: OutboxEntry[];
}

type Reply = { result: unknown } | { error: string };

function emptyMissing(): Missing {
	return { accounts: new Set(), users: new Set(), events: new Set() };
}

function hasMissing(missing: Missing): boolean {
	return missing.accounts.size + missing.users.size + missing.events.size > 0;
}

function missingError(missing: Missing): NotLoadedError {
	return new NotLoadedError({ accounts: [...missing.accounts], users: [...missing.users], events: [...missing.events] });
}

function isReply(value: unknown): value is Reply {
	return typeof value === 'object' && value !== null && ('result' in value || 'error' in value);
}

function preview(value: unknown): string {
	const text = JSON.stringify(value) ?? String(value);
	return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * Per-store locks on the keys a transaction prefetches: transactions of one process on the same
 * documents run one after another instead of conflicting; other processes are handled by the
 * compare-and-set. Each waits only for those that came before it, so nothing deadlocks.
 */
class KeyLocks {
	private readonly tails = new Map<string, Promise<void>>();

	async acquire(keys: string[]): Promise<() => void> {
		let release!: () => void;
		const mine = new Promise<void>((resolve) => (release = resolve));
		const before = keys.map((key) => this.tails.get(key)).filter((tail): tail is Promise<void> => tail !== undefined);
		for (const key of keys) this.tails.set(key, mine);
		await Promise.all(before);
		return () => {
			release();
			for (const key of keys) if (this.tails.get(key) === mine) this.tails.delete(key);
		};
	}
}

export class RestStateStore implements StateStore {
	readonly stats: RestStoreStats = { commits: 0, conflicts: 0, reloads: 0, requests: 0 };
	private readonly send: RestStoreOptions['send'];
	private readonly sleep: RestStoreOptions['sleep'];
	private readonly base: string;
	private readonly dedupeTtlMs: number;
	private readonly retentionMs: number;
	private readonly maxAttempts: number;
	private readonly locks = new KeyLocks();

	constructor(options: RestStoreOptions) {
		if (typeof options.namespace !== 'string' || options.namespace === '') {
			throw new Error('The shared store needs a namespace (e.g. the workflow id)');
		}
		if (/[{}]/.test(options.keyPrefix) || /[{}]/.test(options.namespace)) {
			throw new Error(`The key prefix and namespace must not contain "{" or "}" (the store puts the namespace in a hash tag): got "${options.keyPrefix}" and "${options.namespace}"`);
		}
		const dedupeTtlMs = options.dedupeTtlMs ?? DEDUPE_TTL_MS;
		if (!Number.isInteger(dedupeTtlMs) || dedupeTtlMs <= 0) throw new Error(`dedupeTtlMs must be a positive whole number of milliseconds, got ${dedupeTtlMs}`);
		const retentionMs = options.retentionMs ?? 0;
		if (!(retentionMs >= 0)) throw new Error(`retentionMs must be 0 or more, got ${retentionMs}`);
		this.send = options.send;
		this.sleep = options.sleep;
		this.base = `${options.keyPrefix}{${options.namespace}}`;
		this.dedupeTtlMs = dedupeTtlMs;
		// Infinity (keep forever) and fractions: Redis wants a whole number of milliseconds.
		this.retentionMs = Number.isFinite(retentionMs) ? Math.ceil(retentionMs) : 0;
		this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
	}

	accountKey(id: string): string {
		return `${this.base}:acct:${id}`;
	}

	userKey(id: string): string {
		return `${this.base}:user:${id}`;
	}

	seenKey(eventId: string): string {
		const id = eventId.length > MAX_PLAIN_EVENT_ID ? `sha256:${createHash('sha256').update(eventId).digest('hex')}` : eventId;
		return `${this.base}:seen:${id}`;
	}

	get dueKey(): string {
		return `${this.base}:due`;
	}

	get outboxKey(): string {
		return `${this.base}:outbox`;
	}

	/** The outbox's order: fire id → `at`. */
	get outboxOrderKey(): string {
		return `${this.base}:outbox:at`;
	}

	async transact<T>(work: (tx: StoreTransaction) => T, prefetch: Prefetch = {}): Promise<T> {
		const docs = new Map<string, Stored>();
		const seen = new Map<string, boolean>();
		const lockKeys = [
			...(prefetch.accounts ?? []).map((id) => this.accountKey(id)),
			...(prefetch.users ?? []).map((id) => this.userKey(id)),
			...(prefetch.events ?? []).map((id) => this.seenKey(id)),
		];
		let release = await this.locks.acquire([...new Set(lockKeys)]);
		try {
			await this.load(docs, seen, prefetch.accounts ?? [], prefetch.users ?? [], prefetch.events ?? []);
			for (let attempt = 1; ; attempt++) {
				const run = await this.runLoading(work, docs, seen);
				if (run.failed !== undefined) throw run.failed.error;
				if (run.reads.size === 0 && run.seen.size === 0 && run.due.size === 0 && run.fires.length === 0) return run.result as T;
				if (await this.commit(run, docs)) return run.result as T;
				this.stats.conflicts++;
				if (attempt >= this.maxAttempts) {
					throw new Error(`The shared store could not commit: other writers changed the same documents ${attempt} times in a row (raise maxAttempts or reduce concurrent writers)`);
				}
				// From now on, queue behind this process's other transactions on everything the work touched
				// (released first and taken anew: each waits only for those before it, so nothing deadlocks).
				release();
				release = await this.locks.acquire([...docs.keys(), ...seen.keys()]);
				await this.sleep(this.backoff(attempt));
				// Fresh data for everything the work has read so far (the next run may read more).
				await this.reload(docs, seen);
			}
		} finally {
			release();
		}
	}

	async dueAccounts(now: number, limit: number): Promise<string[]> {
		if (limit <= 0) return [];
		return (await this.command(['ZRANGEBYSCORE', this.dueKey, '-inf', String(now), 'LIMIT', '0', String(Math.floor(limit))])) as string[];
	}

	async pendingFires(limit: number): Promise<OutboxEntry[]> {
		if (limit <= 0) return [];
		const found = (await this.command(['EVAL', PENDING_SCRIPT, '2', this.outboxKey, this.outboxOrderKey, String(Math.floor(limit))])) as string[];
		return found.map((json) => JSON.parse(json) as OutboxEntry);
	}

	async delivered(fireIds: string[]): Promise<void> {
		for (let i = 0; i < fireIds.length; i += 500) {
			await this.command(['EVAL', DELIVERED_SCRIPT, '2', this.outboxKey, this.outboxOrderKey, ...fireIds.slice(i, i + 500)]);
		}
	}

	/** A document as stored (undefined when there is none), for tests and diagnostics. */
	async readAccount(id: string): Promise<AccountDoc | undefined> {
		const json = (await this.command(['HGET', this.accountKey(id), 'd'])) as string | null;
		return json === null ? undefined : (JSON.parse(json) as AccountDoc);
	}

	async readUser(id: string): Promise<UserDoc | undefined> {
		const json = (await this.command(['HGET', this.userKey(id), 'd'])) as string | null;
		return json === null ? undefined : (JSON.parse(json) as UserDoc);
	}

	async close(): Promise<void> {}

	/** Runs the work until it has everything it asks for loaded. */
	private async runLoading<T>(work: (tx: StoreTransaction) => T, docs: Map<string, Stored>, seen: Map<string, boolean>): Promise<Run<T>> {
		for (let round = 0; ; round++) {
			const run = this.run(work, docs, seen);
			if (run.missing === undefined) return run;
			if (round >= MAX_LOAD_ROUNDS) {
				throw new Error(`The shared store loaded data ${round} times for one transaction and the work still asks for more: is it a pure function of what it reads?`);
			}
			this.stats.reloads++;
			await this.load(docs, seen, [...run.missing.accounts], [...run.missing.users], [...run.missing.events]);
		}
	}

	/** One run of the work against copies of what is loaded; records what it asked for and did not find. */
	private run<T>(work: (tx: StoreTransaction) => T, docs: Map<string, Stored>, seen: Map<string, boolean>): Run<T> {
		const missing = emptyMissing();
		const accounts = new Map<string, AccountDoc | undefined>();
		const users = new Map<string, UserDoc | undefined>();
		const written = { accounts: new Set<string>(), users: new Set<string>() };
		const reads = new Set<string>();
		const firstSeen = new Set<string>();
		const due = new Map<string, number | undefined>();
		const fires: OutboxEntry[] = [];

		const get = <D>(cache: Map<string, D | undefined>, key: string, id: string, need: Set<string>): D | undefined => {
			if (cache.has(id)) return cache.get(id);
			const stored = docs.get(key);
			if (stored === undefined) {
				need.add(id);
				throw missingError(missing);
			}
			reads.add(key);
			const doc = stored.json === null ? undefined : (JSON.parse(stored.json) as D);
			cache.set(id, doc);
			return doc;
		};
		/** A write of a document not loaded: load it (its version is checked at commit) and run again. */
		const put = (key: string, id: string, need: Set<string>) => {
			if (docs.has(key)) reads.add(key);
			else need.add(id);
		};

		const tx: StoreTransaction = {
			account: (id) => get(accounts, this.accountKey(id), id, missing.accounts),
			user: (id) => get(users, this.userKey(id), id, missing.users),
			putAccount: (doc) => {
				put(this.accountKey(doc.id), doc.id, missing.accounts);
				accounts.set(doc.id, doc);
				written.accounts.add(doc.id);
			},
			putUser: (doc) => {
				put(this.userKey(doc.id), doc.id, missing.users);
				users.set(doc.id, doc);
				written.users.add(doc.id);
			},
			canAddAccount: () => true,
			isNewEvent: (eventId) => {
				if (firstSeen.has(eventId)) return false;
				const known = seen.get(this.seenKey(eventId));
				if (known === undefined) {
					missing.events.add(eventId);
					throw missingError(missing);
				}
				if (known) return false;
				firstSeen.add(eventId);
				return true;
			},
			setDue: (accountId, at) => {
				// The account's document carries its due time too (as in the built-in store).
				if (!docs.has(this.accountKey(accountId))) missing.accounts.add(accountId);
				due.set(accountId, at);
			},
			fire: (entry) => void fires.push(entry),
		};

		const runResult: Run<T> = { writes: new Map(), reads, seen: firstSeen, due, fires };
		try {
			runResult.result = work(tx);
		} catch (error) {
			// Whatever the work made of a NotLoadedError (caught, wrapped), the cure is to load and run again.
			if (!hasMissing(missing)) runResult.failed = { error };
		}
		if (hasMissing(missing)) {
			runResult.missing = missing;
			return runResult;
		}
		if (runResult.failed !== undefined) return runResult;

		for (const [id, at] of due) {
			let doc = accounts.has(id) ? accounts.get(id) : undefined;
			if (!accounts.has(id)) {
				const stored = docs.get(this.accountKey(id))!;
				doc = stored.json === null ? undefined : (JSON.parse(stored.json) as AccountDoc);
				reads.add(this.accountKey(id));
			}
			if (doc === undefined || doc.dueAt === at) continue;
			if (at === undefined) delete doc.dueAt;
			else doc.dueAt = at;
			accounts.set(id, doc);
			written.accounts.add(id);
		}
		const write = (key: string, doc: AccountDoc | UserDoc | undefined) => {
			if (doc === undefined) return;
			const json = JSON.stringify(doc);
			// Unchanged: nothing to write, but its version is still checked.
			if (json !== docs.get(key)!.json) runResult.writes.set(key, json);
		};
		for (const id of written.accounts) write(this.accountKey(id), accounts.get(id));
		for (const id of written.users) write(this.userKey(id), users.get(id));
		return runResult;
	}

	/** The commit script; true when it landed, false on a conflict. */
	private async commit(run: Run<unknown>, docs: Map<string, Stored>): Promise<boolean> {
		const token = randomUUID();
		const docKeys = [...new Set([...run.reads, ...run.writes.keys()])];
		const seenKeys = [...run.seen].map((id) => this.seenKey(id));
		const args: string[] = [
			String(docKeys.length),
			String(seenKeys.length),
			token,
			String(this.retentionMs),
			String(this.dedupeTtlMs),
			String(run.due.size),
			String(run.fires.length),
		];
		// Versions are those loaded: a document loaded anew after a conflict has its new version here.
		for (const key of docKeys) args.push(docs.get(key)!.version, run.writes.get(key) ?? '');
		for (const [id, at] of run.due) args.push(id, at === undefined ? '' : String(at));
		for (const entry of run.fires) args.push(entry.fireId, String(entry.at), JSON.stringify(entry));
		const command = ['EVAL', COMMIT_SCRIPT, String(3 + docKeys.length + seenKeys.length), this.dueKey, this.outboxKey, this.outboxOrderKey, ...docKeys, ...seenKeys, ...args];
		const answer = await this.command(command).then(
			(result) => ({ ok: true as const, result }),
			(error: unknown) => ({ ok: false as const, error }),
		);
		if (!answer.ok && answer.error instanceof RedisReplyError) throw answer.error;
		// No answer: the script may have run. Our token on what it writes tells.
		const landed = answer.ok ? answer.result === 1 : await this.commitLanded(run, token, docKeys, seenKeys, answer.error);
		if (landed) this.stats.commits++;
		return landed;
	}

	private async commitLanded(run: Run<unknown>, token: string, docKeys: string[], seenKeys: string[], cause: unknown): Promise<boolean> {
		const written = docKeys.find((key) => run.writes.has(key));
		// Only due times, outbox entries and version checks: running it again changes nothing twice.
		if (written === undefined && seenKeys.length === 0) return false;
		const check = written !== undefined ? ['HGET', written, 'w'] : ['GET', seenKeys[0]];
		const mark = await this.command(check).then(
			(value) => ({ ok: true as const, value }),
			() => ({ ok: false as const }),
		);
		if (!mark.ok) {
			throw new Error(`The shared store lost its connection during a commit and cannot tell whether it landed: ${(cause as Error)?.message ?? String(cause)}`);
		}
		return mark.value === token;
	}

	private backoff(attempt: number): number {
		const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16));
		return randomInt(Math.floor(ceiling / 2), ceiling + 1);
	}

	private async reload(docs: Map<string, Stored>, seen: Map<string, boolean>): Promise<void> {
		const keys = [...docs.keys()];
		const seenKeys = [...seen.keys()];
		docs.clear();
		seen.clear();
		await this.loadKeys(docs, seen, keys, seenKeys);
	}

	private async load(docs: Map<string, Stored>, seen: Map<string, boolean>, accounts: string[], users: string[], events: string[]): Promise<void> {
		const keys = [...new Set([...accounts.map((id) => this.accountKey(id)), ...users.map((id) => this.userKey(id))])].filter((key) => !docs.has(key));
		const seenKeys = [...new Set(events.map((id) => this.seenKey(id)))].filter((key) => !seen.has(key));
		await this.loadKeys(docs, seen, keys, seenKeys);
	}

	private async loadKeys(docs: Map<string, Stored>, seen: Map<string, boolean>, keys: string[], seenKeys: string[]): Promise<void> {
		if (keys.length + seenKeys.length === 0) return;
		const commands = [...keys.map((key) => ['HMGET', key, 'v', 'd']), ...seenKeys.map((key) => ['EXISTS', key])];
		const replies = await this.pipeline(commands);
		keys.forEach((key, i) => {
			const [version, json] = replies[i] as [string | null, string | null];
			docs.set(key, { version: version ?? '0', json });
		});
		seenKeys.forEach((key, i) => seen.set(key, replies[keys.length + i] === 1));
	}

	private async command(command: string[]): Promise<unknown> {
		this.stats.requests++;
		const answer = await this.send('/', command);
		if (!isReply(answer)) throw new Error(`The Redis REST endpoint answered ${command[0]} with ${preview(answer)}, not {result} or {error}`);
		if ('error' in answer && answer.error !== undefined) throw new RedisReplyError(command[0], answer.error);
		return (answer as { result: unknown }).result;
	}

	private async pipeline(commands: string[][]): Promise<unknown[]> {
		this.stats.requests++;
		const answer = await this.send('/pipeline', commands);
		if (!Array.isArray(answer) || answer.length !== commands.length || !answer.every(isReply)) {
			throw new Error(`The Redis REST endpoint answered a pipeline of ${commands.length} commands with ${preview(answer)}`);
		}
		return answer.map((reply: Reply, i) => {
			if ('error' in reply && reply.error !== undefined) throw new RedisReplyError(commands[i][0], reply.error);
			return (reply as { result: unknown }).result;
		});
	}
}
