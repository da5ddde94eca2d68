import type { Company, ProviderName } from './company';
import { DAY_MS } from '../time';

/**
 * Answers kept across executions so the same domain is not paid for twice: matches, and "no match"
 * answers from every provider asked. Failures are never kept. The store is a plain object (the
 * node's workflow static data), read once and written once per execution, bounded in entries.
 */
export interface CachedAnswer {
	/** Epoch ms of the look-up. */
	at: number;
	status: 'matched' | 'notFound';
	company: Company | null;
	/** For "no match": the providers that all said so. */
	askedProviders: ProviderName[];
}

export interface CacheStore {
	enrichCache?: { version: number; entries: Record<string, CachedAnswer> };
}

export interface CachePolicy {
	/** 0 = no cache. */
	ttlMs: number;
	maxEntries: number;
}

export const DEFAULT_CACHE_POLICY: CachePolicy = { ttlMs: 30 * DAY_MS, maxEntries: 500 };
const VERSION = 1;

export class AnswerCache {
	private readonly entries: Map<string, CachedAnswer>;
	private changed = false;

	constructor(
		private readonly store: CacheStore,
		private readonly policy: CachePolicy,
		now: number,
	) {
		const saved = store.enrichCache?.version === VERSION ? store.enrichCache.entries : {};
		this.entries = new Map(Object.entries(saved ?? {}).filter(([, entry]) => this.isFresh(entry, now)));
		if (this.entries.size !== Object.keys(saved ?? {}).length) this.changed = true;
	}

	private isFresh(entry: CachedAnswer, now: number): boolean {
		return typeof entry?.at === 'number' && now - entry.at < this.policy.ttlMs;
	}

	/** A kept answer still valid for a look-up with these providers ("no match" only if each of them said so). */
	get(domain: string, providers: readonly ProviderName[], now: number): CachedAnswer | undefined {
		const entry = this.entries.get(domain);
		if (entry === undefined || !this.isFresh(entry, now)) return undefined;
		if (entry.status === 'notFound' && !providers.every((provider) => entry.askedProviders.includes(provider))) return undefined;
		return entry;
	}

	set(domain: string, answer: CachedAnswer): void {
		if (this.policy.ttlMs <= 0 || this.policy.maxEntries <= 0) return;
		this.entries.delete(domain);
		this.entries.set(domain, answer);
		this.changed = true;
	}

	/** Writes the newest entries back into the store, at most maxEntries; nothing when unchanged. */
	save(): void {
		if (!this.changed) return;
		const newestFirst = [...this.entries].sort(([, a], [, b]) => b.at - a.at).slice(0, Math.max(0, this.policy.maxEntries));
		this.store.enrichCache = { version: VERSION, entries: Object.fromEntries(newestFirst) };
		this.changed = false;
	}
}
