import {
	NodeConnectionTypes,
	NodeHelpers,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type INodeTypes,
	type ITriggerFunctions,
	type ITriggerResponse,
	type IVersionedNodeType,
} from 'n8n-workflow';

export const PACKAGE_PREFIX = 'n8n-nodes-pql';
export const MANUAL_TRIGGER_TYPE = 'n8n-nodes-base.manualTrigger';
export const FIXTURE_TYPE = 'test.fixture';

type AnyNodeType = INodeType | IVersionedNodeType;

/** The registry WorkflowExecute resolves node types from; add the package's nodes with register(). */
export class NodeTypes implements INodeTypes {
	private readonly types = new Map<string, AnyNodeType>();

	constructor(packageNodes: AnyNodeType[] = []) {
		this.add(MANUAL_TRIGGER_TYPE, new ManualTrigger());
		this.add(FIXTURE_TYPE, new Fixture());
		for (const node of packageNodes) this.register(node);
	}

	/** A package node, under both the published type (n8n-nodes-pql.x) and the dev-mode one (CUSTOM.x). */
	register(node: AnyNodeType): this {
		const name = node.description.name;
		this.add(`${PACKAGE_PREFIX}.${name}`, node);
		this.add(`CUSTOM.${name}`, node);
		return this;
	}

	/** Any node type under its full type name, e.g. a test-only node. */
	add(typeName: string, node: AnyNodeType): this {
		this.types.set(typeName, node);
		return this;
	}

	getByName(nodeType: string): AnyNodeType {
		const node = this.types.get(nodeType);
		if (node === undefined) {
			throw new Error(`Unknown node type "${nodeType}"; known: ${[...this.types.keys()].join(', ')}`);
		}
		return node;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		const known = [...this.types.keys()].map((typeName) => [typeName, { className: typeName, sourcePath: '' }]);
		return Object.fromEntries(known);
	}
}

function testNodeDescription(name: string, displayName: string): Omit<INodeTypeDescription, 'inputs' | 'properties'> {
	return {
		displayName,
		name,
		group: ['transform'],
		version: 1,
		description: `Test-only ${displayName}`,
		defaults: { name: displayName },
		outputs: [NodeConnectionTypes.Main],
	};
}

/** Stands in for n8n's Manual Trigger: emits one empty item when the workflow is run. */
class ManualTrigger implements INodeType {
	description: INodeTypeDescription = {
		...testNodeDescription('manualTrigger', 'Manual Trigger'),
		group: ['trigger'],
		inputs: [],
		properties: [],
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return { manualTriggerFunction: async () => this.emit([[{ json: {} }]]) };
	}
}

/**
 * Emits the JSON array in its itemsJson parameter as items. Pinning data (runWorkflow's pinData) on any node
 * works as well and skips that node's execution altogether.
 */
class Fixture implements INodeType {
	description: INodeTypeDescription = {
		...testNodeDescription('fixture', 'Fixture'),
		inputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Items (JSON Array)', name: 'itemsJson', type: 'string', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const parsed: unknown = JSON.parse(this.getNodeParameter('itemsJson', 0) as string);
		if (!Array.isArray(parsed)) throw new NodeOperationError(this.getNode(), 'itemsJson must be a JSON array');
		return [parsed.map((json: IDataObject) => ({ json, pairedItem: { item: 0 } }))];
	}
}
