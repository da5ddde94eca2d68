import {
	ICredentialsHelper,
	isExpression,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialType,
	type IDataObject,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeProperties,
	type IRequestOptionsSimplified,
	type IRequestOptionsSimplifiedAuth,
	type IWorkflowExecuteAdditionalData,
	type Workflow,
} from 'n8n-workflow';

/**
 * Credentials kept in memory by credential type name. authenticate() applies the credential type's own
 * `authenticate` (a function, or generic headers / qs / body / auth with {{$credentials.x}} expressions),
 * so nodes calling this.helpers.httpRequestWithAuthentication send what they would in n8n.
 */
export class CredentialsHelper extends ICredentialsHelper {
	private readonly types = new Map<string, ICredentialType>();
	private readonly data = new Map<string, ICredentialDataDecryptedObject>();

	constructor(credentialTypes: ICredentialType[] = [], data: Record<string, ICredentialDataDecryptedObject> = {}) {
		super();
		for (const type of credentialTypes) this.types.set(type.name, type);
		for (const [typeName, values] of Object.entries(data)) this.set(typeName, values);
	}

	set(typeName: string, values: ICredentialDataDecryptedObject): this {
		this.data.set(typeName, { ...values });
		return this;
	}

	getParentTypes(typeName: string): string[] {
		const parents = this.types.get(typeName)?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const options = requestOptions as IHttpRequestOptions;
		const { authenticate } = this.credentialType(typeName);
		if (authenticate === undefined) return options;
		if (typeof authenticate === 'function') return await authenticate(credentials, options);
		const resolve = (value: unknown) => resolveCredentialValue(value, credentials, workflow, node);
		return applyGenericAuth(options, authenticate.properties, resolve);
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		_node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.credentialType(typeName);
		const expirable = type.properties.find((property) => property.typeOptions?.expirable === true);
		if (type.preAuthentication === undefined || expirable === undefined) return undefined;
		if (!credentialsExpired && credentials[expirable.name]) return undefined;
		return await this.runPreAuthentication(helpers, credentials, typeName);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.credentialType(typeName);
		if (type.preAuthentication === undefined) return undefined;
		const output = await type.preAuthentication.call(helpers, credentials);
		const updated = { ...credentials, ...output } as ICredentialDataDecryptedObject;
		this.set(typeName, updated);
		return updated;
	}

	async getCredentials(_nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		throw new Error(`The test CredentialsHelper holds decrypted data only; getCredentials("${type}") is not supported`);
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const values = this.data.get(type);
		if (values === undefined) throw new Error(`No test credentials of type "${type}"`);
		return { ...values };
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.set(type, data);
	}

	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.set(type, { ...this.data.get(type), ...data });
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.types.get(type)?.properties ?? [];
	}

	private credentialType(typeName: string): ICredentialType {
		const type = this.types.get(typeName);
		if (type === undefined) {
			throw new Error(`Unknown credential type "${typeName}": pass it to new CredentialsHelper([...])`);
		}
		return type;
	}
}

type Resolve = (value: unknown) => unknown;

/** n8n's generic auth: headers / qs / body / auth entries are merged into the request, keys and values resolved. */
function applyGenericAuth(
	options: IHttpRequestOptions,
	properties: IRequestOptionsSimplifiedAuth,
	resolve: Resolve,
): IHttpRequestOptions {
	const target = options as unknown as Record<string, IDataObject | undefined>;
	for (const [section, entries] of Object.entries(properties) as Array<[string, IDataObject]>) {
		if (typeof entries !== 'object' || entries === null) {
			target[section] = resolve(entries) as IDataObject;
			continue;
		}
		const merged: IDataObject = { ...target[section] };
		for (const [key, value] of Object.entries(entries)) {
			merged[String(resolve(key))] = resolve(value) as IDataObject[string];
		}
		target[section] = merged;
	}
	return options;
}

/** Resolves {{$credentials.x}} expressions the way n8n's own CredentialsHelper does. */
function resolveCredentialValue(
	value: unknown,
	credentials: ICredentialDataDecryptedObject,
	workflow?: Workflow,
	node?: INode,
): unknown {
	if (!isExpression(value)) return value;
	if (workflow === undefined || node === undefined) {
		throw new Error(`Cannot resolve ${value} without a workflow and node`);
	}
	const additionalKeys = { $credentials: credentials };
	return workflow.expression.getSimpleParameterValue(node, value, 'internal', additionalKeys, undefined, '') ?? '';
}
