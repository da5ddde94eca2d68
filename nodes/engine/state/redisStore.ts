import { createHash, randomUUID } from 'crypto';
import { STATE_FORMAT, type AccountState } from './accountState';
import { RedisClient, RedisConnectionError, RedisReplyError, settle, type RedisConnectionOptions } from './redisClient';
import { sleep } from './nodeSocket';
import { DEDUPE_TTL_MS, type AccountMutation, type StateStore } from './store';

export interface RedisStoreOptions {
	/** Separates workflows (and tests) sharing one Redis: keys are `<keyPrefix><namespace>:acct:<id>`, `…:seen:<event id>` and `…:user:<user id>`. */
	namespace: string;
	/** Starts every key (the credential's Key Prefix); default `pql:`. */
	keyPrefix?: string;
	/** A client to share, or the connection options of the store's own client. */
	redis: RedisClient | RedisConnectionOptions;
	/** Idle time after which Redis drops an account's state and a user's account link (see stateRetentionMs); 0 = keep forever. */
	accountTtlMs: number;
	dedupeTtlMs?: number;
	/** Read-mutate-write rounds before an update gives up on conflicting writers. */
	maxAttempts?: number;
}

/**
 * Writes the state only if nobody wrote since it was read (same version), and stamps the writer's
 * token so that a writer whose connection broke mid-write can tell whether its write landed.
 */
const COMPARE_AND_SET = `
local current = redis.call('HGET', KEYS[1], 'v')
if current == false then current = '0' end
if current ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tostring(tonumber(ARGV[1]) + 1), 'f', ARGV[3], 's', ARGV[2], 'w', ARGV[4])
if tonumber(ARGV[5]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[5]) else redis.call('PERSIST', KEYS[1]) end
return 1
`;
const COMPARE_AND_SET_SHA = createHash('sha1').update(COMPARE_AND_SET).digest('hex');

export const DEFAULT_MAX_ATTEMPTS = 30;

interface QueuedUpdate {
	mutate: AccountMutation<unknown>;
	resolve(result: unknown): void;
	reject(error: Error): void;
}

interface StoredState {
	version: string;
	/** The state's JSON (null: none yet), parsed afresh for each round of mutations. */
	json: string | null;
}

/** After a connection broke during a write: it landed, it surely did not, or nobody can tell. */
type WriteOutcome = 'landed' | 'lost' | 'unknown';

export interface RedisStoreStats {
	/** Compare-and-set writes that landed. */
	writes: number;
	/** Writes refused because another writer got there first (each is followed by a retry). */
	conflicts: number;
	/** Updates applied (several queued updates of one account share one write). */
	updates: number;
}

/**
 * Per-account state in Redis, safe with any number of n8n workers or main instances: each update
 * reads the state and its version, applies the mutation in JavaScript, and writes back with a Lua
 * compare-and-set that fails if anyone wrote in between; then it re-reads and retries (bounded,
 * with jitter). Within one store, updates of one account are queued and applied together in one
 * read and one write, so conflicts only arise between processes.
 */
export class RedisStateStore implements StateStore {
	readonly stats: RedisStoreStats = { writes: 0, conflicts: 0, updates: 0 };
	private readonly client: RedisClient;
	private readonly ownsClient: boolean;
	private readonly prefix: string;
	private readonly accountTtlMs: number;
	private readonly dedupeTtlMs: number;
	private readonly maxAttempts: number;
	/** Per account being written: the updates waiting for the next round. */
	private readonly queues = new Map<string, QueuedUpdate[]>();

	constructor(options: RedisStoreOptions) {
		if (!options.namespace) throw new Error('The Redis store needs a namespace (e.g. the workflow id)');
		this.ownsClient = !(options.redis instanceof RedisClient);
		this.client = options.redis instanceof RedisClient ? options.redis : new RedisClient(options.redis);
		this.prefix = `${options.keyPrefix ?? 'pql:'}${options.namespace}:`;
		this.accountTtlMs = options.accountTtlMs;
		this.dedupeTtlMs = options.dedupeTtlMs ?? DEDUPE_TTL_MS;
		this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
	}

	accountKey(accountId: string): string {
		return `${this.prefix}acct:${accountId}`;
	}

	seenKey(eventId: string): string {
		return `${this.prefix}seen:${eventId}`;
	}

	async isNewEvent(eventId: string): Promise<boolean> {
		const key = this.seenKey(eventId);
		const token = randomUUID();
		const mark = () => this.client.command(['SET', key, token, 'NX', 'PX', this.dedupeTtlMs]);
		const first = await settle(mark());
		if (first.ok) return first.value === 'OK';
		if (!(first.error instanceof RedisConnectionError)) throw first.error;
		// The first SET may have landed before the connection broke: then the id holds our token.
		if ((await mark()) === 'OK') return true;
		return (await this.client.command(['GET', key])) === token;
	}

	async forgetEvent(eventId: string): Promise<void> {
		await this.client.command(['DEL', this.seenKey(eventId)]);
	}

	userKey(userId: string): string {
		return `${this.prefix}user:${userId}`;
	}

	async linkUser(userId: string, accountId: string): Promise<void> {
		const expiry = this.accountTtlMs > 0 ? ['PX', this.accountTtlMs] : [];
		await this.client.command(['SET', this.userKey(userId), accountId, ...expiry]);
	}

	async accountOfUser(userId: string): Promise<string | undefined> {
		return ((await this.client.command(['GET', this.userKey(userId)])) as string | null) ?? undefined;
	}

	updateAccount<T>(accountId: string, mutate: AccountMutation<T>): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			const update: QueuedUpdate = { mutate, resolve: resolve as (result: unknown) => void, reject };
			const queue = this.queues.get(accountId);
			if (queue !== undefined) {
				queue.push(update);
				return;
			}
			this.queues.set(accountId, [update]);
			void this.drain(accountId);
		});
	}

	/** The account's stored state (undefined when there is none), for inspection. */
	async readAccount(accountId: string): Promise<AccountState | undefined> {
		const { json } = await this.read(this.accountKey(accountId));
		return json === null ? undefined : (JSON.parse(json) as AccountState);
	}

	async close(): Promise<void> {
		if (this.ownsClient) await this.client.close();
	}

	/** Writes the account's queued updates, round after round, until none are left. */
	private async drain(accountId: string): Promise<void> {
		const queue = this.queues.get(accountId)!;
		while (queue.length > 0) {
			const batch = queue.splice(0);
			// Anything unexpected (a stored state that is not JSON) fails the batch, not the store.
			const committed = await settle(this.commit(this.accountKey(accountId), batch));
			if (!committed.ok) failAll(batch, committed.error);
		}
		this.queues.delete(accountId);
	}

	private async commit(key: string, batch: QueuedUpdate[]): Promise<void> {
		let live = batch;
		for (let attempt = 1; ; attempt++) {
			const read = await settle(this.read(key));
			if (!read.ok) {
				// A read is safe to repeat: once, on a fresh connection, when the old one broke.
				if (read.error instanceof RedisConnectionError && attempt === 1) continue;
				return failAll(live, read.error);
			}
			const stored = read.value;
			const round = applyAll(stored, live);
			live = round.live;
			if (live.length === 0) return;
			const token = randomUUID();
			const write = await settle(this.compareAndSet(key, stored.version, round.state!, token));
			let written = write.ok && write.value;
			if (!write.ok) {
				const outcome = write.error instanceof RedisConnectionError ? await this.writeOutcome(key, stored.version, token) : 'unknown';
				// Retrying a write that may have landed would apply the updates twice: fail them instead.
				if (outcome === 'unknown') return failAll(live, write.error);
				written = outcome === 'landed';
			}
			if (written) {
				this.stats.writes++;
				this.stats.updates += live.length;
				live.forEach((update, i) => update.resolve(round.results[i]));
				return;
			}
			this.stats.conflicts++;
			if (attempt >= this.maxAttempts) {
				const error = new Error(`Could not update ${key} in Redis: other writers changed it ${attempt} times in a row`);
				return failAll(live, error);
			}
			await sleep(Math.random() * Math.min(100, 2 ** attempt));
		}
	}

	private async read(key: string): Promise<StoredState> {
		const [version, format, json] = (await this.client.command(['HMGET', key, 'v', 'f', 's'])) as Array<string | null>;
		if (json !== null && Number(format) !== STATE_FORMAT) {
			throw new Error(`${key} holds state format ${format}; this version reads format ${STATE_FORMAT}`);
		}
		return { version: version ?? '0', json };
	}

	private async compareAndSet(key: string, version: string, state: AccountState, token: string): Promise<boolean> {
		const args = [1, key, version, JSON.stringify(state), STATE_FORMAT, token, this.accountTtlMs];
		const reply = await settle(this.client.command(['EVALSHA', COMPARE_AND_SET_SHA, ...args]));
		if (reply.ok) return reply.value === 1;
		if (!(reply.error instanceof RedisReplyError && reply.error.message.startsWith('NOSCRIPT'))) throw reply.error;
		return (await this.client.command(['EVAL', COMPARE_AND_SET, ...args])) === 1;
	}

	/**
	 * Each write adds 1 to the version: ours landed if the writer token is ours; it did not if the
	 * version is at most one past what we read (unchanged, or another writer's write in its place).
	 */
	private async writeOutcome(key: string, readVersion: string, token: string): Promise<WriteOutcome> {
		const read = await settle(this.client.command(['HMGET', key, 'v', 'w']));
		if (!read.ok) return 'unknown';
		const [version, writer] = read.value as Array<string | null>;
		if (writer === token) return 'landed';
		return Number(version ?? '0') <= Number(readVersion) + 1 ? 'lost' : 'unknown';
	}
}

/**
 * Runs the queued mutations in order on a fresh copy of the stored state. A mutation that throws
 * is rejected alone and the round starts over without it, so it leaves no half-applied change.
 */
function applyAll(stored: StoredState, batch: QueuedUpdate[]): { state: AccountState | undefined; results: unknown[]; live: QueuedUpdate[] } {
	let live = batch;
	for (;;) {
		let state = stored.json === null ? undefined : (JSON.parse(stored.json) as AccountState);
		const results: unknown[] = [];
		let failed = -1;
		for (let i = 0; i < live.length; i++) {
			try {
				const update = live[i].mutate(state);
				state = update.state;
				results.push(update.result);
			} catch (error) {
				live[i].reject(error as Error);
				failed = i;
				break;
			}
		}
		if (failed < 0) return { state, results, live };
		live = live.filter((_, i) => i !== failed);
	}
}

function failAll(updates: QueuedUpdate[], error: Error): void {
	for (const update of updates) update.reject(error);
}
