import { toList } from '../rules/conditions';
import type { CompiledModel } from '../rules/compile';
import { DAY_MS } from '../time';
import { DEFAULT_CACHE_POLICY } from './cache';
import { PROVIDER_NAMES, type ProviderName } from './company';
import type { EnrichSettings } from './enricher';
import { fitModel, type FitCriteria } from './fit';
import { DEFAULT_DOMAIN_FIELDS } from './input';
import { DEFAULT_RETRY_POLICY } from './retry';
import type { TraitsTarget } from './traits';

/** Enrich Account's parameters as the node UI holds them. */
export interface EnrichParameters {
	provider?: string;
	waterfall?: { providers?: Array<{ provider?: string }> };
	domainFields?: string;
	icpFit?: boolean;
	fit?: FitCriteria;
	options?: {
		traitsTarget?: string;
		includeProviderResponse?: boolean;
		maxLookups?: number;
		cacheDays?: number;
		cacheSize?: number;
		timeoutMs?: number;
		retries?: number;
		retryWaitMs?: number;
		maxRateLimitWaitSeconds?: number;
	};
}

export interface EnrichConfig {
	settings: EnrichSettings;
	domainFields: string[];
	traitsTarget: TraitsTarget;
	timeoutMs: number;
	fit: CompiledModel | undefined;
}

export class EnrichConfigError extends Error {}

export const DEFAULT_MAX_LOOKUPS = 100;
export const DEFAULT_TIMEOUT_MS = 10_000;
const TRAITS_TARGETS: TraitsTarget[] = ['auto', 'itemFields', 'accountTraits', 'none'];

function isProvider(value: unknown): value is ProviderName {
	return PROVIDER_NAMES.includes(value as ProviderName);
}

function providersOf(parameters: EnrichParameters): ProviderName[] {
	const provider = parameters.provider ?? 'apollo';
	if (provider !== 'waterfall') {
		if (!isProvider(provider)) throw new EnrichConfigError(`"Provider" must be one of ${PROVIDER_NAMES.join(', ')} or waterfall, got ${JSON.stringify(provider)}`);
		return [provider];
	}
	const listed = (parameters.waterfall?.providers ?? []).map((entry) => entry.provider);
	const unknown = listed.find((name) => !isProvider(name));
	if (unknown !== undefined) throw new EnrichConfigError(`"Waterfall Order" holds an unknown provider: ${JSON.stringify(unknown)}`);
	const order = [...new Set(listed as ProviderName[])];
	if (order.length === 0) throw new EnrichConfigError('"Waterfall Order" is empty: add the providers to try, first to last');
	return order;
}

function wholeNumber(value: number | undefined, label: string, fallback: number): number {
	const number = value ?? fallback;
	if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) {
		throw new EnrichConfigError(`Option "${label}" must be a number of 0 or more, got ${JSON.stringify(value)}`);
	}
	return number;
}

/** Parameters → the enrichment configuration; throws EnrichConfigError (or FitCriteriaError) naming the parameter. */
export function enrichConfig(parameters: EnrichParameters): EnrichConfig {
	const options = parameters.options ?? {};
	const traitsTarget = (options.traitsTarget ?? 'auto') as TraitsTarget;
	if (!TRAITS_TARGETS.includes(traitsTarget)) throw new EnrichConfigError(`Option "Write Account Traits To" must be one of ${TRAITS_TARGETS.join(', ')}`);
	const fields = toList(parameters.domainFields ?? '').map(String);
	return {
		settings: {
			providers: providersOf(parameters),
			maxLookups: wholeNumber(options.maxLookups, 'Max Paid Look-Ups per Execution', DEFAULT_MAX_LOOKUPS),
			retry: {
				retries: wholeNumber(options.retries, 'Retries', DEFAULT_RETRY_POLICY.retries),
				baseDelayMs: wholeNumber(options.retryWaitMs, 'Retry Wait (Ms)', DEFAULT_RETRY_POLICY.baseDelayMs),
				maxWaitMs: wholeNumber(options.maxRateLimitWaitSeconds, 'Max Rate-Limit Wait (Seconds)', DEFAULT_RETRY_POLICY.maxWaitMs / 1000) * 1000,
			},
			cache: {
				ttlMs: wholeNumber(options.cacheDays, 'Cache Answers For (Days)', DEFAULT_CACHE_POLICY.ttlMs / DAY_MS) * DAY_MS,
				maxEntries: wholeNumber(options.cacheSize, 'Cache Size (Domains)', DEFAULT_CACHE_POLICY.maxEntries),
			},
			includeProviderResponse: options.includeProviderResponse === true,
		},
		domainFields: fields.length > 0 ? fields : DEFAULT_DOMAIN_FIELDS,
		traitsTarget,
		timeoutMs: wholeNumber(options.timeoutMs, 'Timeout (Ms)', DEFAULT_TIMEOUT_MS),
		fit: parameters.icpFit ? fitModel(parameters.fit ?? {}) : undefined,
	};
}
