/**
 * A stand-in for HubSpot's API (api.hubapi.com) as n8n's HubSpot node v2.x calls it with a
 * private-app / service key (`Authorization: Bearer`), answering in HubSpot's documented shapes:
 * - companies v2: POST /companies/v2/companies, PUT|GET /companies/v2/companies/:id,
 *   POST /companies/v2/domains/:domain/companies (search by domain);
 * - deals v1: POST /deals/v1/deal (with `associations.associatedCompanyIds`);
 * - contacts v1: POST /contacts/v1/contact/createOrUpdate/email/:email, GET …/vid/:vid/profile;
 * - PUT /crm-associations/v1/associations/create-batch;
 * - CRM v3: POST /crm/v3/objects/{companies,deals}, PATCH /crm/v3/objects/companies/:id,
 *   POST /crm/v3/objects/companies/search; GET /account-info/v3/details (the credential test).
 * Properties that do not exist in the portal are refused like HubSpot does (400
 * PROPERTY_DOESNT_EXIST), so a template's custom properties (pql_score …) must be declared.
 * One store of records backs every API version; tests read `companies`, `deals`, `contacts`.
 */
import { startVendorServer, type RecordedRequest, type VendorAnswer, type VendorServer, type VendorServerOptions } from './vendorServer';

export const HUBSPOT_HOST = 'api.hubapi.com';
export const HUBSPOT_STAND_IN_TOKEN = 'pat-na1-stand-in-service-key';
const PORTAL_ID = 62515;

type ObjectType = 'companies' | 'deals' | 'contacts';

const STANDARD_PROPERTIES: Record<ObjectType, string[]> = {
	companies: ['name', 'domain', 'website', 'description', 'about_us', 'industry', 'numberofemployees', 'annualrevenue', 'city', 'state', 'country', 'phone', 'lifecyclestage', 'hubspot_owner_id', 'type', 'founded_year', 'linkedin_company_page', 'timezone', 'zip', 'address'],
	deals: ['dealname', 'dealstage', 'pipeline', 'amount', 'closedate', 'dealtype', 'description', 'hubspot_owner_id'],
	contacts: ['email', 'firstname', 'lastname', 'company', 'jobtitle', 'phone', 'website', 'lifecyclestage', 'hubspot_owner_id', 'city', 'country', 'annualrevenue', 'industry'],
};

export interface HubSpotRecord {
	id: number;
	properties: Record<string, string>;
	/** Deals: the companies they are associated with; contacts: their companies. */
	companyIds: number[];
	createdAt: number;
	updatedAt: number;
}

export interface HubSpotStandInOptions extends VendorServerOptions {
	token?: string;
	/** Custom properties the portal has, per object type (e.g. companies: ['pql_score']). */
	customProperties?: Partial<Record<ObjectType, string[]>>;
}

export interface HubSpotStandIn {
	readonly server: VendorServer;
	readonly token: string;
	readonly companies: Map<number, HubSpotRecord>;
	readonly deals: Map<number, HubSpotRecord>;
	readonly contacts: Map<number, HubSpotRecord>;
	/** The one company with this domain, if any. */
	companyByDomain(domain: string): HubSpotRecord | undefined;
	close(): Promise<void>;
}

const correlationId = () => `${Date.now().toString(16)}-stand-in`;

function hubspotError(status: number, category: string, message: string, extra: Record<string, unknown> = {}): VendorAnswer {
	return { status, body: { status: 'error', message, correlationId: correlationId(), category, ...extra } };
}

/** v1/v2 bodies list properties as `[{name|property, value}]`. */
function propertyList(value: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	for (const entry of Array.isArray(value) ? (value as Array<Record<string, unknown>>) : []) {
		const name = entry.name ?? entry.property;
		if (typeof name === 'string') out[name] = entry.value === undefined || entry.value === null ? '' : String(entry.value);
	}
	return out;
}

function propertyMap(value: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	if (value && typeof value === 'object') {
		for (const [name, v] of Object.entries(value as Record<string, unknown>)) out[name] = v === null || v === undefined ? '' : String(v);
	}
	return out;
}

/** v2's `{name: {value, timestamp, source, sourceId, versions}}`. */
function v2Properties(record: HubSpotRecord): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(record.properties)) {
		out[name] = { value, timestamp: record.updatedAt, source: 'API', sourceId: null, versions: [{ name, value, timestamp: record.updatedAt, source: 'API', sourceVid: [] }] };
	}
	return out;
}

function v2Company(record: HubSpotRecord) {
	return { portalId: PORTAL_ID, companyId: record.id, isDeleted: false, properties: v2Properties(record), additionalDomains: [], stateChanges: [], mergeAudits: [] };
}

function v3Object(record: HubSpotRecord) {
	const iso = (ms: number) => new Date(ms).toISOString();
	return {
		id: String(record.id),
		properties: { ...record.properties, hs_object_id: String(record.id), createdate: iso(record.createdAt), hs_lastmodifieddate: iso(record.updatedAt) },
		createdAt: iso(record.createdAt),
		updatedAt: iso(record.updatedAt),
		archived: false,
	};
}

export async function startHubSpotStandIn(options: HubSpotStandInOptions = {}): Promise<HubSpotStandIn> {
	const token = options.token ?? HUBSPOT_STAND_IN_TOKEN;
	const stores: Record<ObjectType, Map<number, HubSpotRecord>> = { companies: new Map(), deals: new Map(), contacts: new Map() };
	let nextId = 5_000_000_001;

	function unknownProperties(type: ObjectType, properties: Record<string, string>): VendorAnswer | undefined {
		const known = new Set([...STANDARD_PROPERTIES[type], ...(options.customProperties?.[type] ?? [])]);
		const missing = Object.keys(properties).filter((name) => !known.has(name));
		if (missing.length === 0) return undefined;
		return hubspotError(400, 'VALIDATION_ERROR', 'Property values were not valid', {
			validationResults: missing.map((name) => ({ isValid: false, message: `Property "${name}" does not exist`, error: 'PROPERTY_DOESNT_EXIST', name })),
		});
	}

	function create(type: ObjectType, properties: Record<string, string>, companyIds: number[] = []): HubSpotRecord {
		const now = Date.now();
		const record = { id: nextId++, properties, companyIds, createdAt: now, updatedAt: now };
		stores[type].set(record.id, record);
		return record;
	}

	function update(record: HubSpotRecord, properties: Record<string, string>): HubSpotRecord {
		Object.assign(record.properties, properties);
		record.updatedAt = Date.now();
		return record;
	}

	const companyByDomain = (domain: string) =>
		[...stores.companies.values()].find((company) => company.properties.domain?.toLowerCase() === domain.toLowerCase());

	function withRecord(type: ObjectType, id: string, then: (record: HubSpotRecord) => VendorAnswer): VendorAnswer {
		const record = stores[type].get(Number(id));
		return record ? then(record) : hubspotError(404, 'OBJECT_NOT_FOUND', `resource not found: ${id}`);
	}

	function route(request: RecordedRequest): VendorAnswer {
		if (request.headers.authorization !== `Bearer ${token}`) {
			return hubspotError(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview');
		}
		const body = (request.body ?? {}) as Record<string, unknown>;
		const key = `${request.method} ${request.path}`;
		let match: RegExpExecArray | null;

		if (key === 'GET /account-info/v3/details') {
			return { status: 200, body: { portalId: PORTAL_ID, accountType: 'STANDARD', timeZone: 'US/Eastern', companyCurrency: 'USD', additionalCurrencies: [], utcOffset: '-05:00', utcOffsetMilliseconds: -18000000, uiDomain: 'app.hubspot.com', dataHostingLocation: 'na1' } };
		}
		if (key === 'POST /companies/v2/companies') {
			const properties = propertyList(body.properties);
			return unknownProperties('companies', properties) ?? { status: 200, body: v2Company(create('companies', properties)) };
		}
		if ((match = /^(GET|PUT) \/companies\/v2\/companies\/(\d+)$/.exec(key))) {
			const method = match[1];
			return withRecord('companies', match[2], (company) => {
				if (method === 'GET') return { status: 200, body: v2Company(company) };
				const properties = propertyList(body.properties);
				return unknownProperties('companies', properties) ?? { status: 200, body: v2Company(update(company, properties)) };
			});
		}
		if ((match = /^POST \/companies\/v2\/domains\/([^/]+)\/companies$/.exec(key))) {
			const found = companyByDomain(decodeURIComponent(match[1]));
			return { status: 200, body: { results: found ? [v2Company(found)] : [], hasMore: false, offset: { companyId: found?.id ?? 0, isPrimary: true } } };
		}
		if (key === 'POST /deals/v1/deal') {
			const properties = propertyList(body.properties);
			const associations = (body.associations ?? {}) as { associatedCompanyIds?: unknown[] };
			const companyIds = (associations.associatedCompanyIds ?? []).map(Number);
			const absent = companyIds.find((id) => !stores.companies.has(id));
			if (absent !== undefined) return hubspotError(400, 'VALIDATION_ERROR', `One or more associations are invalid: company ${absent} does not exist`);
			const invalid = unknownProperties('deals', properties);
			if (invalid) return invalid;
			const deal = create('deals', properties, companyIds);
			return {
				status: 200,
				body: { portalId: PORTAL_ID, dealId: deal.id, isDeleted: false, associations: { associatedVids: [], associatedCompanyIds: companyIds, associatedDealIds: [] }, properties: v2Properties(deal), imports: [], stateChanges: [] },
			};
		}
		if ((match = /^POST \/contacts\/v1\/contact\/createOrUpdate\/email\/(.+)$/.exec(key))) {
			const email = decodeURIComponent(match[1]).toLowerCase();
			const properties = { ...propertyList(body.properties), email };
			const invalid = unknownProperties('contacts', properties);
			if (invalid) return invalid;
			const existing = [...stores.contacts.values()].find((contact) => contact.properties.email === email);
			const contact = existing ? update(existing, properties) : create('contacts', properties);
			return { status: 200, body: { vid: contact.id, isNew: existing === undefined } };
		}
		if ((match = /^GET \/contacts\/v1\/contact\/vid\/(\d+)\/profile$/.exec(key))) {
			return withRecord('contacts', match[1], (contact) => ({
				status: 200,
				body: { vid: contact.id, 'canonical-vid': contact.id, 'portal-id': PORTAL_ID, 'is-contact': true, properties: v2Properties(contact), 'associated-company': contact.companyIds[0] ? { 'company-id': contact.companyIds[0] } : undefined },
			}));
		}
		if (key === 'PUT /crm-associations/v1/associations/create-batch') {
			for (const association of Array.isArray(request.body) ? (request.body as Array<Record<string, number>>) : []) {
				const from = association.definitionId === 1 ? stores.contacts.get(Number(association.fromObjectId)) : stores.deals.get(Number(association.fromObjectId));
				if (from && !from.companyIds.includes(Number(association.toObjectId))) from.companyIds.push(Number(association.toObjectId));
			}
			return { status: 204 };
		}
		if ((match = /^POST \/crm\/v3\/objects\/(companies|deals)$/.exec(key))) {
			const type = match[1] as ObjectType;
			const properties = propertyMap(body.properties);
			return unknownProperties(type, properties) ?? { status: 201, body: v3Object(create(type, properties)) };
		}
		if ((match = /^PATCH \/crm\/v3\/objects\/companies\/(\d+)$/.exec(key))) {
			const properties = propertyMap(body.properties);
			return withRecord('companies', match[1], (company) => unknownProperties('companies', properties) ?? { status: 200, body: v3Object(update(company, properties)) });
		}
		if (key === 'POST /crm/v3/objects/companies/search') {
			const groups = (body.filterGroups ?? []) as Array<{ filters: Array<{ propertyName: string; operator: string; value: string }> }>;
			const results = [...stores.companies.values()].filter((company) =>
				groups.length === 0 || groups.some((group) => group.filters.every((f) => f.operator === 'EQ' && (company.properties[f.propertyName] ?? '').toLowerCase() === String(f.value).toLowerCase())),
			);
			return { status: 200, body: { total: results.length, results: results.map(v3Object) } };
		}
		return hubspotError(404, 'OBJECT_NOT_FOUND', `No route for ${key}`);
	}

	const server = await startVendorServer(route, options);
	return {
		server,
		token,
		companies: stores.companies,
		deals: stores.deals,
		contacts: stores.contacts,
		companyByDomain,
		close: () => server.close(),
	};
}
