/**
 * People Data Labs stand-in: Company Enrichment v5, `GET /v5/company/enrich?website=` with
 * `X-Api-Key`; answers and headers as in PDL's docs (company enrichment, errors, usage limits):
 * profile fields at the top level, 404 `not_found` on no match, 402 `payment_required` when credits
 * are used up, 429 `rate_limit_error` with `x-ratelimit-reset` (a UTC timestamp).
 */
import { startEnrichmentStandIn, RETRY_AFTER_ONE_SECOND, TRUNCATED_JSON, type EnrichmentStandIn, type StandInOptions } from './enrichmentStandIn';

export function pdlCompany(domain: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
	const name = domain.split('.')[0];
	return {
		status: 200,
		likelihood: 9,
		name,
		display_name: name[0].toUpperCase() + name.slice(1),
		size: '51-200',
		employee_count: 180,
		id: 'tnHcNHbCv8MKeLh92946LAkX6PKb',
		founded: 2012,
		industry: 'computer software',
		naics: null,
		sic: null,
		location: {
			name: 'san francisco, california, united states',
			locality: 'san francisco',
			region: 'california',
			metro: 'san francisco, california',
			country: 'united states',
			continent: 'north america',
			street_address: null,
			postal_code: '94107',
			geo: '37.77,-122.41',
		},
		linkedin_id: '1234567',
		linkedin_url: `linkedin.com/company/${name}`,
		facebook_url: null,
		twitter_url: null,
		profiles: [`linkedin.com/company/${name}`],
		website: domain,
		ticker: null,
		type: 'private',
		summary: 'makes everything',
		tags: ['saas'],
		headline: null,
		alternative_names: [],
		alternative_domains: [],
		affiliated_profiles: [],
		inferred_revenue: '$10M-$25M',
		...overrides,
	};
}

const pdlError = (status: number, type: string, message: string, headers?: Record<string, string>) => ({ status, headers, body: { status, error: { type, message } } });
/** A whole-second UTC timestamp one to two seconds ahead, as PDL writes it. */
const inOneSecond = () => new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function startPeopleDataLabs(options: StandInOptions = {}): Promise<EnrichmentStandIn> {
	return await startEnrichmentStandIn(
		{
			domainParameter: 'website',
			lookupPath: '/v5/company/enrich',
			otherEndpoints: { '/v5/autocomplete': () => ({ status: 200, body: { status: 200, data: [{ name: 'acme', count: 12 }], fields: ['company'] } }) },
			apiKeyOf: (headers) => headers['x-api-key'] as string | undefined,
			commonHeaders: () => ({
				'x-ratelimit-limit': "{'minute': 100}",
				'x-ratelimit-remaining': "{'minute': 99}",
				'x-ratelimit-reset': inOneSecond(),
				'x-totallimit-remaining': '1342',
			}),
			answer(scenario, domain, company) {
				const limited = { 'x-ratelimit-remaining': "{'minute': 0}", 'x-ratelimit-reset': inOneSecond() };
				switch (scenario) {
					case 'match':
					case 'slow':
						return { status: 200, headers: { 'x-call-credits-spent': '1', 'x-call-credits-type': 'enrich_company' }, body: company ?? pdlCompany(domain) };
					case 'noMatch':
						return pdlError(404, 'not_found', 'No records were found matching your request');
					case 'unauthorized':
						return pdlError(401, 'authentication_error', 'Invalid API key');
					case 'forbidden':
						return pdlError(403, 'forbidden', 'Your API key does not have access to this endpoint');
					case 'outOfCredits':
						return pdlError(402, 'payment_required', 'You have hit your account maximum for company enrichment matches');
					case 'rateLimited':
						return pdlError(429, 'rate_limit_error', 'An error occurred due to requests hitting the API too quick', { ...limited, ...RETRY_AFTER_ONE_SECOND });
					case 'rateLimitedNoRetryAfter':
						return pdlError(429, 'rate_limit_error', 'An error occurred due to requests hitting the API too quick', limited);
					case 'serverError':
						return pdlError(500, 'error', 'An internal server error occurred');
					case 'malformedJson':
						return { status: 200, body: TRUNCATED_JSON };
				}
			},
		},
		options,
	);
}
