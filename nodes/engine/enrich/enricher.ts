import { AnswerCache, type CachePolicy, type CacheStore } from './cache';
import { PROVIDER_LABELS, unmatchedCompany, type Company, type ProviderName } from './company';
import { PROVIDERS, type HttpAnswer, type ProviderOutcome, type ProviderSpec } from './providers';
import { retryDecision, type RetryPolicy } from './retry';

export type EnrichmentStatus = 'matched' | 'notFound' | 'skipped' | 'failed';

export interface Enrichment {
	status: EnrichmentStatus;
	provider: ProviderName | null;
	reason: string;
	/** No look-up was paid for this item: the answer came from the cache or an earlier item of this execution. */
	cached: boolean;
	providerResponse?: unknown;
}

export interface EnrichResult {
	company: Company;
	enrichment: Enrichment;
	/** Set when a provider rejected its credential and no provider is left to ask: the node reports it as an error. */
	credentialError?: string;
}

export interface EnrichSettings {
	/** One provider, or the waterfall order: stop at the first match. */
	providers: ProviderName[];
	/** Most provider calls per execution (retries of a call do not count). */
	maxLookups: number;
	retry: RetryPolicy;
	cache: CachePolicy;
	includeProviderResponse: boolean;
}

export interface EnrichIo {
	/** One HTTP call; never throws (a failed call is a networkError answer). */
	call(provider: ProviderSpec, domain: string): Promise<HttpAnswer>;
	sleep(ms: number): Promise<void>;
	now(): number;
}

/** One provider's part in a look-up. */
interface Attempt {
	provider: ProviderName;
	result: 'matched' | 'notFound' | 'failed' | 'skipped';
	reason: string;
	/** A credential was rejected on this call. */
	credentialError?: boolean;
}

/**
 * Enriches the domains of one execution: one look-up per distinct domain, answers reused from the
 * cache of earlier executions, a budget of provider calls, the waterfall, and per-provider state (a
 * provider out of credits, over quota or with a rejected credential is not called again).
 */
export class Enricher {
	private readonly cache: AnswerCache;
	private readonly seen = new Map<string, EnrichResult>();
	private readonly stopped = new Map<ProviderName, string>();
	private lookupsLeft: number;

	constructor(
		private readonly settings: EnrichSettings,
		private readonly io: EnrichIo,
		cacheStore: CacheStore,
	) {
		this.cache = new AnswerCache(cacheStore, settings.cache, io.now());
		this.lookupsLeft = settings.maxLookups;
	}

	/** The company of a domain (already normalized: see input.ts). */
	async enrich(domain: string): Promise<EnrichResult> {
		const earlier = this.seen.get(domain);
		if (earlier !== undefined) return reused(earlier);
		const cached = this.cache.get(domain, this.settings.providers, this.io.now());
		const result = cached !== undefined ? this.fromCache(domain, cached.status, cached.company) : await this.lookUp(domain);
		if (!result.credentialError) this.seen.set(domain, result);
		return result;
	}

	/** Writes the cache back into its store: call once at the end of the execution. */
	save(): void {
		this.cache.save();
	}

	private async lookUp(domain: string): Promise<EnrichResult> {
		const attempts: Attempt[] = [];
		for (const name of this.settings.providers) {
			const stopped = this.stopped.get(name);
			if (stopped !== undefined) {
				attempts.push({ provider: name, result: 'skipped', reason: stopped });
				continue;
			}
			if (this.lookupsLeft <= 0) {
				attempts.push({ provider: name, result: 'skipped', reason: `the budget of ${this.settings.maxLookups} paid look-ups for this execution is used up` });
				break;
			}
			this.lookupsLeft--;
			const outcome = await this.callWithRetries(PROVIDERS[name], domain);
			if (outcome.kind === 'matched') {
				attempts.push({ provider: name, result: 'matched', reason: 'matched' });
				this.cache.set(domain, { at: this.io.now(), status: 'matched', company: outcome.company, askedProviders: [name] });
				return this.result(outcome.company, 'matched', name, attempts, outcome.raw);
			}
			attempts.push(this.attemptOf(name, outcome));
		}
		return this.unmatched(domain, attempts);
	}

	private attemptOf(name: ProviderName, outcome: Exclude<ProviderOutcome, { kind: 'matched' }>): Attempt {
		if (outcome.kind === 'notFound') return { provider: name, result: 'notFound', reason: 'no match' };
		if (outcome.kind === 'rejectedCredentials' || outcome.kind === 'exhausted') {
			this.stopped.set(name, `not called, ${outcome.reason} earlier in this execution`);
			return { provider: name, result: 'failed', reason: outcome.reason, credentialError: outcome.kind === 'rejectedCredentials' };
		}
		return { provider: name, result: 'failed', reason: outcome.reason };
	}

	private unmatched(domain: string, attempts: Attempt[]): EnrichResult {
		const failed = attempts.filter((attempt) => attempt.result === 'failed');
		const notFound = attempts.filter((attempt) => attempt.result === 'notFound');
		const company = unmatchedCompany(domain);
		let result: EnrichResult;
		if (failed.length > 0) {
			result = this.result(company, 'failed', failed[failed.length - 1].provider, attempts);
		} else if (notFound.length > 0) {
			result = this.result(company, 'notFound', notFound[notFound.length - 1].provider, attempts);
			if (notFound.length === this.settings.providers.length) {
				this.cache.set(domain, { at: this.io.now(), status: 'notFound', company: null, askedProviders: [...this.settings.providers] });
			}
		} else {
			result = this.result(company, 'skipped', null, attempts);
		}
		const everyProviderStopped = this.settings.providers.every((name) => this.stopped.has(name));
		const credentialFailure = failed.find((attempt) => attempt.credentialError);
		if (credentialFailure && everyProviderStopped) result.credentialError = `${PROVIDER_LABELS[credentialFailure.provider]}: ${credentialFailure.reason}`;
		return result;
	}

	private result(company: Company, status: EnrichmentStatus, provider: ProviderName | null, attempts: Attempt[], raw?: unknown): EnrichResult {
		const reason = attempts.map((attempt) => `${PROVIDER_LABELS[attempt.provider]}: ${attempt.reason}`).join('; ');
		const enrichment: Enrichment = { status, provider, reason, cached: false };
		if (this.settings.includeProviderResponse) enrichment.providerResponse = raw ?? null;
		return { company, enrichment };
	}

	private fromCache(domain: string, status: 'matched' | 'notFound', company: Company | null): EnrichResult {
		const reason = status === 'matched' ? `${PROVIDER_LABELS[company!.source!]}: matched in an earlier execution (cached)` : 'no provider had a match in an earlier execution (cached)';
		const enrichment: Enrichment = { status, provider: company?.source ?? null, reason, cached: true };
		if (this.settings.includeProviderResponse) enrichment.providerResponse = null;
		return { company: company ?? unmatchedCompany(domain), enrichment };
	}

	private async callWithRetries(provider: ProviderSpec, domain: string): Promise<Exclude<ProviderOutcome, { kind: 'rateLimited' | 'retryable' }>> {
		for (let retriesDone = 0; ; retriesDone++) {
			const outcome = provider.interpret(await this.io.call(provider, domain), domain, this.io.now());
			if (outcome.kind !== 'rateLimited' && outcome.kind !== 'retryable') return outcome;
			const decision = retryDecision(outcome, retriesDone, this.settings.retry);
			if (decision.action === 'giveUp') return decision.outcome;
			await this.io.sleep(decision.waitMs);
		}
	}
}

function reused(earlier: EnrichResult): EnrichResult {
	const enrichment = { ...earlier.enrichment, cached: true };
	if ('providerResponse' in enrichment) enrichment.providerResponse = null;
	return { company: earlier.company, enrichment };
}

/** An item that gets no look-up (no company domain, or a personal / disposable one). */
export function skippedResult(reason: string, domain: string | null, includeProviderResponse: boolean): EnrichResult {
	const enrichment: Enrichment = { status: 'skipped', provider: null, reason, cached: false };
	if (includeProviderResponse) enrichment.providerResponse = null;
	return { company: unmatchedCompany(domain), enrichment };
}
