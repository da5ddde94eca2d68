/**
 * A stand-in for Salesforce as n8n's Salesforce node v1 calls it with the "Salesforce JWT API"
 * credential:
 * - POST https://login.salesforce.com/services/oauth2/token, grant_type
 *   `urn:ietf:params:oauth:grant-type:jwt-bearer`: the RS256 assertion is verified with the
 *   connected app's certificate (iss = client id, sub = username, aud = login URL, exp); the answer
 *   names the instance (https://pql-e2e.my.salesforce.com), which serves the data API;
 * - GET /services/oauth2/userinfo (the credential test);
 * - /services/data/v59.0: POST sobjects/{lead,task}, PATCH sobjects/lead/{externalIdField}/{value}
 *   (upsert: 201 created / 200 updated), GET sobjects/{type}/{id}, GET sobjects/{type}/describe,
 *   GET query?q= (SELECT … FROM … WHERE a = 'x' AND … LIMIT n).
 * Errors are Salesforce's arrays `[{message, errorCode, fields}]`: INVALID_SESSION_ID (401),
 * REQUIRED_FIELD_MISSING, INVALID_FIELD, NOT_FOUND. Tests read `records`.
 */
import { createPublicKey, createVerify, randomBytes, type KeyObject } from 'crypto';
import { startVendorServer, type RecordedRequest, type VendorAnswer, type VendorServer, type VendorServerOptions } from './vendorServer';

export const SALESFORCE_LOGIN_HOST = 'login.salesforce.com';
export const SALESFORCE_INSTANCE_HOST = 'pql-e2e.my.salesforce.com';
export const SALESFORCE_HOSTS = [SALESFORCE_LOGIN_HOST, 'test.salesforce.com', SALESFORCE_INSTANCE_HOST];
const API = '/services/data/v59.0';
const ORG_ID = '00D5e000000PQLE2E';
const USER_ID = '0055e000001PQLE2E';

type SObject = 'lead' | 'task';
const PREFIX: Record<SObject, string> = { lead: '00Q', task: '00T' };
const LABEL: Record<SObject, string> = { lead: 'Lead', task: 'Task' };
const REQUIRED: Record<SObject, string[]> = { lead: ['LastName', 'Company'], task: ['Status'] };
const STANDARD_FIELDS: Record<SObject, string[]> = {
	lead: ['FirstName', 'LastName', 'Company', 'Email', 'Phone', 'Title', 'Website', 'Industry', 'NumberOfEmployees', 'AnnualRevenue', 'LeadSource', 'Status', 'Rating', 'Description', 'City', 'Country', 'OwnerId', 'HasOptedOutOfEmail', 'HasOptedOutOfFax', 'Street', 'State', 'PostalCode', 'MobilePhone', 'Fax', 'Jigsaw', 'IsUnreadByOwner', 'Salutation'],
	task: ['Subject', 'Status', 'Priority', 'WhoId', 'WhatId', 'OwnerId', 'ActivityDate', 'Description', 'Type', 'CallType', 'IsReminderSet', 'ReminderDateTime'],
};

export interface SalesforceStandInOptions extends VendorServerOptions {
	/** The connected app: its consumer key, the user, and the PEM public key (or certificate) of the private key n8n holds. */
	clientId: string;
	username: string;
	publicKeyPem: string;
	/** Custom fields per object; those listed in `externalIds` may key an upsert. */
	customFields?: Partial<Record<SObject, string[]>>;
	externalIds?: Partial<Record<SObject, string[]>>;
}

export interface SalesforceRecord {
	Id: string;
	type: SObject;
	fields: Record<string, unknown>;
}

export interface SalesforceStandIn {
	readonly server: VendorServer;
	readonly instanceUrl: string;
	readonly records: Map<string, SalesforceRecord>;
	recordsOf(type: SObject): SalesforceRecord[];
	/** Access tokens issued, in order. */
	readonly tokens: string[];
	close(): Promise<void>;
}

const sfError = (status: number, errorCode: string, message: string, fields: string[] = []): VendorAnswer => ({ status, body: [{ message, errorCode, fields }] });

function base64url(text: string): Buffer {
	return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** The JWT bearer assertion's claims when its RS256 signature is the connected app's; else why not. */
function verifyAssertion(assertion: string, key: KeyObject): Record<string, unknown> | string {
	const [header, payload, signature] = assertion.split('.');
	if (!header || !payload || !signature) return 'invalid assertion';
	const { alg } = JSON.parse(base64url(header).toString('utf8')) as { alg?: string };
	if (alg !== 'RS256') return `unsupported algorithm ${alg}`;
	const verified = createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(key, base64url(signature));
	if (!verified) return 'invalid signature';
	return JSON.parse(base64url(payload).toString('utf8')) as Record<string, unknown>;
}

export async function startSalesforceStandIn(options: SalesforceStandInOptions): Promise<SalesforceStandIn> {
	const publicKey = createPublicKey(options.publicKeyPem);
	const records = new Map<string, SalesforceRecord>();
	const tokens: string[] = [];
	const instanceUrl = `https://${SALESFORCE_INSTANCE_HOST}`;
	let sequence = 0;

	const fieldsOf = (type: SObject) => new Set([...STANDARD_FIELDS[type], ...(options.customFields?.[type] ?? [])]);
	const sobjectOf = (name: string): SObject | undefined => (['lead', 'task'] as const).find((type) => type === name.toLowerCase());

	function token(request: RecordedRequest): VendorAnswer {
		const body = (request.body ?? {}) as Record<string, string>;
		if (body.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
			return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'grant type not supported' } };
		}
		const claims = verifyAssertion(body.assertion ?? '', publicKey);
		if (typeof claims === 'string') return { status: 400, body: { error: 'invalid_grant', error_description: claims } };
		const audience = `https://${String(request.headers.host).split(':')[0]}`;
		if (claims.iss !== options.clientId) return { status: 400, body: { error: 'invalid_client_id', error_description: 'client identifier invalid' } };
		if (claims.sub !== options.username) return { status: 400, body: { error: 'invalid_grant', error_description: 'user hasn\'t approved this consumer' } };
		if (claims.aud !== audience) return { status: 400, body: { error: 'invalid_grant', error_description: 'audience is invalid' } };
		if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return { status: 400, body: { error: 'invalid_grant', error_description: 'expired authorization code' } };
		const accessToken = `${ORG_ID}!${randomBytes(24).toString('base64url')}`;
		tokens.push(accessToken);
		return {
			status: 200,
			body: { access_token: accessToken, scope: 'api', instance_url: instanceUrl, id: `https://${SALESFORCE_LOGIN_HOST}/id/${ORG_ID}/${USER_ID}`, token_type: 'Bearer' },
		};
	}

	function check(type: SObject, fields: Record<string, unknown>, creating: boolean): VendorAnswer | undefined {
		const known = fieldsOf(type);
		const unknown = Object.keys(fields).find((field) => !known.has(field));
		if (unknown) return sfError(400, 'INVALID_FIELD', `No such column '${unknown}' on sobject of type ${LABEL[type]}`, [unknown]);
		const missing = creating ? REQUIRED[type].filter((field) => fields[field] === undefined || fields[field] === '') : [];
		if (missing.length > 0) return sfError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
		return undefined;
	}

	function insert(type: SObject, fields: Record<string, unknown>): SalesforceRecord {
		sequence++;
		const record = { Id: `${PREFIX[type]}5e00000${String(sequence).padStart(5, '0')}AAA`, type, fields: { ...fields } };
		records.set(record.Id, record);
		return record;
	}

	function view(record: SalesforceRecord): Record<string, unknown> {
		return { attributes: { type: LABEL[record.type], url: `${API}/sobjects/${LABEL[record.type]}/${record.Id}` }, Id: record.Id, ...record.fields };
	}

	function query(soql: string): VendorAnswer {
		const match = /^SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+LIMIT\s+(\d+))?\s*$/i.exec(soql.trim());
		const type = match ? sobjectOf(match[2]) : undefined;
		if (!match || !type) return sfError(400, 'MALFORMED_QUERY', `unexpected token in: ${soql}`);
		const columns = match[1].split(',').map((column) => column.trim());
		const conditions = (match[3] ?? '').split(/\s+AND\s+/i).filter(Boolean).map((condition) => {
			const parts = /^(\w+)\s*=\s*'((?:[^'\\]|\\.)*)'$/.exec(condition.trim());
			return parts ? { field: parts[1], value: parts[2].replace(/\\(.)/g, '$1') } : undefined;
		});
		if (conditions.some((condition) => condition === undefined)) return sfError(400, 'MALFORMED_QUERY', `the stand-in only supports Field = 'value' conditions: ${soql}`);
		const known = new Set(['Id', ...fieldsOf(type)]);
		const bad = [...columns, ...conditions.map((c) => c!.field)].find((field) => !known.has(field));
		if (bad) return sfError(400, 'INVALID_FIELD', `No such column '${bad}' on entity '${LABEL[type]}'.`);
		const rows = [...records.values()]
			.filter((record) => record.type === type)
			.filter((record) => conditions.every((c) => String(c!.field === 'Id' ? record.Id : record.fields[c!.field] ?? '').toLowerCase() === c!.value.toLowerCase()))
			.slice(0, match[4] ? Number(match[4]) : undefined)
			.map((record) => {
				const row: Record<string, unknown> = { attributes: view(record).attributes };
				for (const column of columns) row[column] = column === 'Id' ? record.Id : record.fields[column] ?? null;
				return row;
			});
		return { status: 200, body: { totalSize: rows.length, done: true, records: rows } };
	}

	function data(request: RecordedRequest): VendorAnswer {
		const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
		if (bearer === undefined || !tokens.includes(bearer)) return sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
		const rest = request.path.slice(API.length);
		const body = (request.body ?? {}) as Record<string, unknown>;
		let match: RegExpExecArray | null;
		if (request.method === 'GET' && rest === '/query') return query(request.query.get('q') ?? '');
		if ((match = /^\/sobjects\/(\w+)(?:\/(.+))?$/.exec(rest))) {
			const type = sobjectOf(match[1]);
			if (!type) return sfError(404, 'NOT_FOUND', `The requested resource does not exist`);
			const tail = match[2];
			if (request.method === 'POST' && tail === undefined) {
				const invalid = check(type, body, true);
				return invalid ?? { status: 201, body: { id: insert(type, body).Id, success: true, errors: [] } };
			}
			if (request.method === 'GET' && tail === 'describe') {
				const externalIds = new Set(options.externalIds?.[type] ?? []);
				return { status: 200, body: { name: LABEL[type], label: LABEL[type], fields: ['Id', ...fieldsOf(type)].map((name) => ({ name, label: name, type: name === 'Id' ? 'id' : 'string', custom: name.endsWith('__c'), externalId: externalIds.has(name), idLookup: name === 'Id' || externalIds.has(name), createable: name !== 'Id', updateable: name !== 'Id' })) } };
			}
			const upsert = tail ? /^(\w+)\/(.+)$/.exec(tail) : null;
			if (request.method === 'PATCH' && upsert) {
				const [, field, rawValue] = upsert;
				const value = decodeURIComponent(rawValue);
				if (!(options.externalIds?.[type] ?? []).includes(field)) {
					return sfError(400, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${field}`);
				}
				const existing = [...records.values()].find((record) => record.type === type && String(record.fields[field]) === value);
				const invalid = check(type, body, existing === undefined);
				if (invalid) return invalid;
				if (existing) {
					Object.assign(existing.fields, body);
					return { status: 200, body: { id: existing.Id, success: true, errors: [], created: false } };
				}
				return { status: 201, body: { id: insert(type, { ...body, [field]: value }).Id, success: true, errors: [], created: true } };
			}
			const record = tail ? records.get(tail) : undefined;
			if (request.method === 'GET' && record?.type === type) return { status: 200, body: view(record) };
			if (request.method === 'PATCH' && record?.type === type) {
				const invalid = check(type, body, false);
				if (invalid) return invalid;
				Object.assign(record.fields, body);
				return { status: 204 };
			}
			return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
		}
		return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
	}

	const server = await startVendorServer((request) => {
		if (request.method === 'POST' && request.path === '/services/oauth2/token') return token(request);
		if (request.method === 'GET' && request.path === '/services/oauth2/userinfo') {
			const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
			if (bearer === undefined || !tokens.includes(bearer)) return { status: 403, body: 'Bad_OAuth_Token' };
			return { status: 200, body: { sub: `https://${SALESFORCE_LOGIN_HOST}/id/${ORG_ID}/${USER_ID}`, user_id: USER_ID, organization_id: ORG_ID, preferred_username: options.username, email: options.username, email_verified: true } };
		}
		if (request.path.startsWith(`${API}/`)) return data(request);
		return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
	}, options);

	return {
		server,
		instanceUrl,
		records,
		recordsOf: (type) => [...records.values()].filter((record) => record.type === type),
		tokens,
		close: () => server.close(),
	};
}
