/**
 * The scripted part of the enrichment-provider stand-ins (apollo.ts, peopleDataLabs.ts, hunter.ts),
 * on the shared loopback server of vendorServer.ts: it checks the API key, and answers each look-up
 * with the next scenario scripted for its domain (the last one repeats; unscripted domains get the
 * provider's "no match"). What a scenario looks like on the wire is each provider file's business,
 * written from the provider's documented responses.
 */
import type { IncomingHttpHeaders } from 'http';
import { startVendorServer, type RecordedRequest, type VendorAnswer, type VendorServer } from './vendorServer';

export type Scenario =
	| 'match'
	/** The provider's documented no-match answer (Apollo: 200 without organization; PDL, Hunter: 404). */
	| 'noMatch'
	/** 401 (also answered to every request with a wrong key). */
	| 'unauthorized'
	/** 403 (Hunter: its per-second rate limit). */
	| 'forbidden'
	/** Credits or quota used up: PDL 402 payment_required, Hunter 429, Apollo 429 with no daily requests left. */
	| 'outOfCredits'
	/** The rate-limit answer with Retry-After: 1 (429; Hunter: 403). */
	| 'rateLimited'
	/** The rate-limit answer without Retry-After (PDL: with x-ratelimit-reset one to two seconds ahead). */
	| 'rateLimitedNoRetryAfter'
	| 'serverError'
	/** Answers a match after `slowMs`, past the client's time-out. */
	| 'slow'
	/** 200 with a truncated JSON body. */
	| 'malformedJson';

export interface ProviderBehaviour {
	/** The query parameter holding the looked-up domain. */
	domainParameter: string;
	/** The look-up endpoint's path. */
	lookupPath: string;
	/** Other documented endpoints (the credential test), answered when the key is right. */
	otherEndpoints: Record<string, () => VendorAnswer>;
	apiKeyOf(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined;
	answer(scenario: Scenario, domain: string, company: Record<string, unknown> | undefined): VendorAnswer;
	/** Headers on every answer (rate-limit counters). */
	commonHeaders?(): Record<string, string>;
}

export interface EnrichmentStandIn {
	readonly baseUrl: string;
	readonly apiKey: string;
	readonly server: VendorServer;
	/** Look-up calls (not credential tests) for a domain, or all of them. */
	lookups(domain?: string): RecordedRequest[];
	/** The scenarios the next look-ups of a domain get, in order; the last one repeats. */
	script(domain: string, ...scenarios: Scenario[]): this;
	/** The company the 'match' scenario answers for a domain. */
	company(domain: string, profile: Record<string, unknown>): this;
	close(): Promise<void>;
}

export interface StandInOptions {
	apiKey?: string;
	/** How long a 'slow' answer takes. */
	slowMs?: number;
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

export async function startEnrichmentStandIn(behaviour: ProviderBehaviour, options: StandInOptions = {}): Promise<EnrichmentStandIn> {
	const apiKey = options.apiKey ?? 'test-key';
	const slowMs = options.slowMs ?? 1500;
	const scripts = new Map<string, Scenario[]>();
	const companies = new Map<string, Record<string, unknown>>();
	const withHeaders = (answer: VendorAnswer): VendorAnswer => ({ ...answer, headers: { ...JSON_TYPE, ...behaviour.commonHeaders?.(), ...answer.headers } });
	const server = await startVendorServer((request) => {
		const domain = request.query.get(behaviour.domainParameter) ?? '';
		const isLookup = request.path === behaviour.lookupPath;
		const queue = scripts.get(domain) ?? [];
		const scenario: Scenario = isLookup ? ((queue.length > 1 ? queue.shift() : queue[0]) ?? 'noMatch') : 'match';
		if (behaviour.apiKeyOf(request.headers, request.query) !== apiKey) return withHeaders(behaviour.answer('unauthorized', domain, undefined));
		if (!isLookup) {
			const endpoint = behaviour.otherEndpoints[request.path];
			return withHeaders(endpoint ? endpoint() : { status: 404, body: { error: 'no such endpoint' } });
		}
		const answer = withHeaders(behaviour.answer(scenario, domain, companies.get(domain)));
		if (scenario !== 'slow') return answer;
		return new Promise<VendorAnswer>((resolve) => setTimeout(() => resolve(answer), slowMs).unref());
	});
	const standIn: EnrichmentStandIn = {
		baseUrl: server.url,
		apiKey,
		server,
		lookups: (domain) => server.requests.filter((request) => request.path === behaviour.lookupPath && (domain === undefined || request.query.get(behaviour.domainParameter) === domain)),
		script(domain, ...scenarios) {
			scripts.set(domain, scenarios);
			return standIn;
		},
		company(domain, profile) {
			companies.set(domain, profile);
			return standIn;
		},
		close: () => server.close(),
	};
	return standIn;
}

/** A 200 body cut off mid-way. */
export const TRUNCATED_JSON = '{"data": {"name": "Acme", "domain": "acme';

/** Retry-After one second ahead, in seconds as providers send it. */
export const RETRY_AFTER_ONE_SECOND = { 'retry-after': '1' };
