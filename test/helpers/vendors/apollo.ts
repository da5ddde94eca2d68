/**
 * Apollo stand-in: `GET /api/v1/organizations/enrich?domain=` with `x-api-key`, answers as in
 * Apollo's API reference (organization enrichment) and docs/PROVIDERS.md. The minute / hour / day
 * request counters ride on every answer, as Apollo sends them.
 */
import { startEnrichmentStandIn, RETRY_AFTER_ONE_SECOND, TRUNCATED_JSON, type EnrichmentStandIn, type StandInOptions } from './enrichmentStandIn';

export function apolloOrganization(domain: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		id: '5e66b6381e05b4008c8331b8',
		name: 'Acme Inc',
		website_url: `http://www.${domain}`,
		blog_url: null,
		linkedin_url: 'http://www.linkedin.com/company/acme-inc',
		twitter_url: 'https://twitter.com/acme',
		phone: '+1 415-555-0100',
		founded_year: 2012,
		logo_url: 'https://zenprospect-production.s3.amazonaws.com/uploads/pictures/acme.png',
		primary_domain: domain,
		industry: 'computer software',
		estimated_num_employees: 200,
		annual_revenue: 25_000_000,
		city: 'San Francisco',
		state: 'California',
		country: 'United States',
		short_description: 'Acme makes everything.',
		...overrides,
	};
}

const apolloError = (status: number, code: string, message: string) => ({ status, body: { error: message, error_code: code, error_details: { code, message } } });

export async function startApollo(options: StandInOptions = {}): Promise<EnrichmentStandIn> {
	return await startEnrichmentStandIn(
		{
			domainParameter: 'domain',
			lookupPath: '/api/v1/organizations/enrich',
			otherEndpoints: { '/api/v1/auth/health': () => ({ status: 200, body: { healthy: true, is_logged_in: true } }) },
			apiKeyOf: (headers) => headers['x-api-key'] as string | undefined,
			commonHeaders: () => ({ 'x-rate-limit-minute': '50', 'x-minute-requests-left': '49', 'x-hourly-requests-left': '199', 'x-daily-requests-left': '599' }),
			answer(scenario, domain, company) {
				const limited = { 'x-minute-requests-left': '0' };
				switch (scenario) {
					case 'match':
					case 'slow':
						return { status: 200, body: { organization: company ?? apolloOrganization(domain) } };
					case 'noMatch':
						return { status: 200, body: {} };
					case 'unauthorized':
						return apolloError(401, 'INVALID_API_KEY', 'Invalid access credentials.');
					case 'forbidden':
						return apolloError(403, 'API_INACCESSIBLE', 'This endpoint is only accessible with a master API key.');
					case 'outOfCredits':
						return { status: 429, headers: { ...limited, 'x-hourly-requests-left': '0', 'x-daily-requests-left': '0' }, body: { message: 'The maximum number of api calls allowed for api/v1/organizations/enrich is 600 times per day.' } };
					case 'rateLimited':
						return { status: 429, headers: { ...limited, ...RETRY_AFTER_ONE_SECOND }, body: { message: 'The maximum number of api calls allowed for api/v1/organizations/enrich is 50 times per minute.' } };
					case 'rateLimitedNoRetryAfter':
						return { status: 429, headers: limited, body: { message: 'The maximum number of api calls allowed for api/v1/organizations/enrich is 50 times per minute.' } };
					case 'serverError':
						return { status: 500, body: { error: 'Internal Server Error' } };
					case 'malformedJson':
						return { status: 200, body: TRUNCATED_JSON };
				}
			},
		},
		options,
	);
}
