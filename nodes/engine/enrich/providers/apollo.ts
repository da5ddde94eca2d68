import { employeeRangeOf, linkedinUrlOf, text, whole, type Company } from '../company';
import { hostOf } from '../domain';
import { detail, header, interpretAnswer, isRecord, retryAfterMs, type HttpResponse, type ProviderOutcome, type ProviderSpec } from './answer';

/** Apollo counts requests in fixed minute windows; without a Retry-After, wait for the next one. */
const MINUTE_WINDOW_MS = 60_000;

function company(organization: Record<string, unknown>, domain: string): Company {
	const employees = whole(organization.estimated_num_employees);
	const revenue = organization.annual_revenue;
	return {
		name: text(organization.name),
		domain: hostOf(text(organization.primary_domain) ?? text(organization.website_url) ?? '') ?? domain,
		industry: text(organization.industry),
		employees,
		employeeRange: employeeRangeOf(employees),
		country: text(organization.country),
		annualRevenue: typeof revenue === 'number' ? revenue : text(revenue),
		linkedinUrl: linkedinUrlOf(organization.linkedin_url),
		foundedYear: whole(organization.founded_year),
		source: 'apollo',
		matched: true,
	};
}

function errorMessage(body: unknown): string {
	if (!isRecord(body)) return '';
	const details = isRecord(body.error_details) ? body.error_details.message : undefined;
	return detail(details ?? body.error ?? body.message);
}

function rateLimited(answer: HttpResponse, now: number): ProviderOutcome {
	if (header(answer, 'x-daily-requests-left') === '0') return { kind: 'exhausted', reason: `daily request limit reached (429)` };
	if (header(answer, 'x-hourly-requests-left') === '0') return { kind: 'exhausted', reason: `hourly request limit reached (429)` };
	const waitMs = retryAfterMs(header(answer, 'retry-after'), now) ?? MINUTE_WINDOW_MS;
	return { kind: 'rateLimited', waitMs, reason: `too many requests (429)` };
}

/**
 * Organization enrichment, `GET /api/v1/organizations/enrich?domain=`. No match is not documented:
 * a 200 without an organization (or with an empty one) and a 404 both mean no match.
 */
export const apollo: ProviderSpec = {
	name: 'apollo',
	credentialType: 'apolloApi',
	request: (domain) => ({ path: '/api/v1/organizations/enrich', qs: { domain } }),
	interpret(answer, domain, now) {
		return interpretAnswer(answer, {
			success(body) {
				const organization = isRecord(body) ? body.organization : undefined;
				if (!isRecord(organization) || (organization.name === undefined && organization.id === undefined)) return { kind: 'notFound' };
				return { kind: 'matched', company: company(organization, domain), raw: body };
			},
			errorMessage,
			status(response, message) {
				if (response.status === 403) {
					return { kind: 'rejectedCredentials', reason: `refused access (403): the plan may lack organization enrichment, or the key is not a master key${message}` };
				}
				return response.status === 429 ? rateLimited(response, now) : undefined;
			},
		});
	},
};
