/**
 * Hunter stand-in: Companies Find, `GET /v2/companies/find?domain=` with the key as `X-API-KEY`
 * (or `api_key` in the query); answers as in Hunter's API docs: `{data, meta}`, errors as
 * `{errors: [{id, code, details}]}`, 404 on no match, 403 for the per-second / per-minute rate limit,
 * 429 when the monthly quota is used up. Hunter documents no rate-limit headers.
 */
import { startEnrichmentStandIn, RETRY_AFTER_ONE_SECOND, TRUNCATED_JSON, type EnrichmentStandIn, type StandInOptions } from './enrichmentStandIn';

export function hunterCompany(domain: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
	const name = domain.split('.')[0];
	return {
		id: 'c1d2e3',
		name: name[0].toUpperCase() + name.slice(1),
		legalName: `${name[0].toUpperCase() + name.slice(1)}, Inc.`,
		domain,
		domainAliases: [],
		site: { phoneNumbers: [], emailAddresses: [] },
		category: { sector: 'Information Technology', industryGroup: 'Software & Services', industry: 'Software', subIndustry: null, gicsCode: null, sicCode: null, naicsCode: null },
		tags: ['saas'],
		description: 'Makes everything.',
		foundedYear: 2012,
		location: 'Paris, France',
		timeZone: 'Europe/Paris',
		utcOffset: 1,
		geo: { streetNumber: null, streetName: null, subPremise: null, streetAddress: null, city: 'Paris', postalCode: '75002', state: 'Île-de-France', stateCode: null, country: 'France', countryCode: 'FR', lat: 48.86, lng: 2.34 },
		logo: null,
		facebook: { handle: null },
		linkedin: { handle: `company/${name}` },
		twitter: { handle: null, id: null, bio: null, followers: null, following: null, location: null, site: null, avatar: null },
		crunchbase: { handle: null },
		emailProvider: 'Google',
		type: 'private',
		ticker: null,
		identifiers: { usEIN: null },
		phone: null,
		metrics: { alexaUsRank: null, alexaGlobalRank: null, trafficRank: 'high', employees: '11-50', marketCap: null, raised: null, annualRevenue: null, estimatedAnnualRevenue: '$1M-$10M', fiscalYearEnd: null },
		indexedAt: '2026-10-01',
		tech: ['google-analytics'],
		techCategories: ['analytics'],
		parent: { domain: null },
		ultimateParent: { domain: null },
		...overrides,
	};
}

const hunterError = (status: number, id: string, details: string) => ({ status, body: { errors: [{ id, code: status, details }] } });

export async function startHunter(options: StandInOptions = {}): Promise<EnrichmentStandIn> {
	return await startEnrichmentStandIn(
		{
			domainParameter: 'domain',
			lookupPath: '/v2/companies/find',
			otherEndpoints: {
				'/v2/account': () => ({ status: 200, body: { data: { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@acme.io', plan_name: 'Free', plan_level: 0, reset_date: '2026-12-01', team_id: 1 } } }),
			},
			apiKeyOf: (headers, query) => (headers['x-api-key'] as string | undefined) ?? query.get('api_key') ?? undefined,
			answer(scenario, domain, company) {
				switch (scenario) {
					case 'match':
					case 'slow':
						return { status: 200, body: { data: company ?? hunterCompany(domain), meta: { domain } } };
					case 'noMatch':
						return hunterError(404, 'not_found', 'The company was not found');
					case 'unauthorized':
						return hunterError(401, 'authentication_failed', 'No user found for the API key supplied');
					case 'forbidden':
						return hunterError(403, 'too_many_requests', 'You have reached the rate limit for this endpoint');
					case 'outOfCredits':
						return hunterError(429, 'too_many_requests', 'You have reached your usage limit. Upgrade your plan if necessary.');
					case 'rateLimited':
						return { ...hunterError(403, 'too_many_requests', 'You have reached the rate limit for this endpoint'), headers: RETRY_AFTER_ONE_SECOND };
					case 'rateLimitedNoRetryAfter':
						return hunterError(403, 'too_many_requests', 'You have reached the rate limit for this endpoint');
					case 'serverError':
						return hunterError(500, 'server_error', 'Something went wrong on our side');
					case 'malformedJson':
						return { status: 200, body: TRUNCATED_JSON };
				}
			},
		},
		options,
	);
}
