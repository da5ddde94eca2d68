import { employeeRangeOf, linkedinUrlOf, text, whole, type Company } from '../company';
import { hostOf } from '../domain';
import { detail, header, interpretAnswer, isRecord, retryAfterMs, type ProviderSpec } from './answer';


function company(data: Record<string, unknown>, domain: string): Company {
	const category = isRecord(data.category) ? data.category : {};
	const metrics = isRecord(data.metrics) ? data.metrics : {};
	const geo = isRecord(data.geo) ? data.geo : {};
	const linkedin = isRecord(data.linkedin) ? data.linkedin : {};
	// Hunter gives a band ("11-50"), rarely a count: a band is not turned into a made-up count.
	const employees = typeof metrics.employees === 'number' ? whole(metrics.employees) : null;
	const revenue = metrics.annualRevenue ?? metrics.estimatedAnnualRevenue;
	return {
		name: text(data.name),
		domain: hostOf(text(data.domain) ?? '') ?? domain,
		industry: text(category.industry),
		employees,
		employeeRange: employees === null ? text(metrics.employees) : employeeRangeOf(employees),
		country: text(geo.country),
		annualRevenue: typeof revenue === 'number' ? revenue : text(revenue),
		linkedinUrl: linkedinUrlOf(linkedin.handle),
		foundedYear: whole(data.foundedYear),
		source: 'hunter',
		matched: true,
	};
}

function errorMessage(body: unknown): string {
	const errors = isRecord(body) && Array.isArray(body.errors) ? body.errors : [];
	const first: unknown = errors[0];
	return isRecord(first) ? detail(first.details) : '';
}

/**
 * Companies Find, `GET /v2/companies/find?domain=`. 404 = no match. Hunter's 403 means the per-second
 * or per-minute limit was hit (slow down and retry), its 429 that the monthly quota is used up.
 */
export const hunter: ProviderSpec = {
	name: 'hunter',
	credentialType: 'hunterApi',
	request: (domain) => ({ path: '/v2/companies/find', qs: { domain } }),
	interpret(answer, domain, now) {
		return interpretAnswer(answer, {
			success(body) {
				const data = isRecord(body) ? body.data : undefined;
				if (!isRecord(data) || (data.name == null && data.domain == null)) return { kind: 'notFound' };
				return { kind: 'matched', company: company(data, domain), raw: body };
			},
			errorMessage,
			status(response, message) {
				if (response.status === 403) {
					return { kind: 'rateLimited', waitMs: retryAfterMs(header(response, 'retry-after'), now), reason: `request rate limit reached (403)${message}` };
				}
				return response.status === 429 ? { kind: 'exhausted', reason: `monthly quota used up (429)${message}` } : undefined;
			},
		});
	},
};
