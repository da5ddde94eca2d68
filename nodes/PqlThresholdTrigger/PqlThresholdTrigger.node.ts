import {
	NodeConnectionTypes,
	NodeOperationError,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IDataObject,
	type IHookFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import type { CrossingOptions } from '../engine/crossing';
import type { EventSource } from '../engine/events';
import type { AccountSource } from '../engine/identity';
import { ingest, type FiredAccount } from '../engine/ingest/pipeline';
import { webhookAuthProblem, type WebhookAuth } from '../engine/ingest/verify';
import { stateRetentionMs } from '../engine/state/accountState';
import { MemoryStateStore } from '../engine/state/memoryStore';
import { RedisClient } from '../engine/state/redisClient';
import { RedisStateStore } from '../engine/state/redisStore';
import { cachedModel, dropTriggerRuntime, snapshotDue, triggerRuntime, type TriggerRuntime } from '../engine/state/triggerRuntime';
import type { CompiledModel } from '../engine/rules/compile';
import { readScoringModel } from '../shared/readParameters';
import { pqlThresholdTriggerProperties } from './PqlThresholdTrigger.properties';

interface TriggerOptions {
	accountFrom?: AccountSource;
	accountGroupType?: string;
	maxBodyKb?: number;
	saveEverySeconds?: number;
	redisNamespace?: string;
}

const STATE_KEY = 'pqlState';

type Context = IWebhookFunctions | IHookFunctions;

function runtimeKey(ctx: Context, mode: string): string {
	return `${ctx.getWorkflow().id ?? 'unsaved'}:${ctx.getNode().id}:${mode === 'manual' ? 'test' : 'live'}`;
}

/** Decrypting credentials costs more than counting an event: re-read them at most every few seconds. */
const AUTH_CACHE_MS = 5000;
const authCache = new Map<string, { auth: WebhookAuth; at: number }>();

async function cachedAuth(ctx: IWebhookFunctions): Promise<WebhookAuth> {
	const key = `${ctx.getWorkflow().id}:${ctx.getNode().id}:${JSON.stringify(ctx.getNode().credentials ?? {})}:${ctx.getNodeParameter('authentication', '') as string}`;
	const now = Date.now();
	const known = authCache.get(key);
	if (known !== undefined && now - known.at < AUTH_CACHE_MS) return known.auth;
	const auth = await readAuth(ctx);
	authCache.set(key, { auth, at: now });
	return auth;
}

async function readAuth(ctx: IWebhookFunctions): Promise<WebhookAuth> {
	const kind = ctx.getNodeParameter('authentication', 'segmentSignature') as string;
	if (kind === 'segmentSignature' || kind === 'segmentWriteKey') {
		const credentials = await ctx.getCredentials('segmentWebhookApi');
		return kind === 'segmentSignature'
			? { kind, secret: String(credentials.sharedSecret ?? '') }
			: { kind, writeKey: String(credentials.writeKey ?? '') };
	}
	if (kind === 'sharedSecretHeader') {
		const credentials = await ctx.getCredentials('pqlWebhookSecretApi');
		return { kind, headerName: String(credentials.headerName ?? ''), secret: String(credentials.secret ?? '') };
	}
	return { kind: 'none' };
}

function redisOptions(credentials: IDataObject) {
	if (credentials.tls === true) throw new Error('TLS connections to Redis are not supported yet; use a private network or a TLS tunnel');
	return {
		host: String(credentials.host ?? '127.0.0.1'),
		port: Number(credentials.port ?? 6379),
		username: credentials.user ? String(credentials.user) : undefined,
		password: credentials.password ? String(credentials.password) : undefined,
		db: Number(credentials.database ?? 0),
	};
}

async function openRuntime(ctx: IWebhookFunctions, mode: string, options: TriggerOptions, retentionMs: number): Promise<TriggerRuntime> {
	const key = runtimeKey(ctx, mode);
	if (mode === 'manual' || ctx.getNodeParameter('stateStore', 'builtIn') === 'builtIn') {
		// Test events are scored in a store of their own: they never count towards live state.
		const runtime = triggerRuntime(key, 'builtIn', () => {
			const memory = new MemoryStateStore();
			if (mode !== 'manual') memory.restore(ctx.getWorkflowStaticData('node')[STATE_KEY] as string | undefined);
			return { store: memory, memory };
		});
		runtime.memory?.setRetention(retentionMs);
		return runtime;
	}
	const credentials = await ctx.getCredentials('pqlRedisApi');
	const prefix = String(credentials.keyPrefix ?? 'pql:');
	const namespace = options.redisNamespace?.trim() || `${ctx.getWorkflow().id}:${ctx.getNode().id}`;
	const connection = redisOptions(credentials);
	const storeKey = JSON.stringify({ ...connection, prefix, namespace, retentionMs });
	return triggerRuntime(key, storeKey, () => ({
		store: new RedisStateStore({ keyPrefix: prefix, namespace, redis: connection, accountTtlMs: retentionMs }),
	}));
}

function crossingOptions(ctx: IWebhookFunctions, tiers: CrossingOptions['tiers']): { crossing: CrossingOptions; emit: 'crossing' | 'everyEvent' } {
	const fireOn = ctx.getNodeParameter('fireOn', 'threshold') as string;
	const crossing: CrossingOptions = {
		fireOn: fireOn === 'tierUp' || fireOn === 'tierAny' ? 'tierChange' : 'threshold',
		tierDirection: fireOn === 'tierAny' ? 'any' : 'up',
		cooldownDays: fireOn === 'everyEvent' ? 0 : (ctx.getNodeParameter('cooldownDays', 7) as number),
		hysteresis: fireOn === 'everyEvent' ? 0 : (ctx.getNodeParameter('hysteresis', 10) as number),
		tiers,
	};
	return { crossing, emit: fireOn === 'everyEvent' ? 'everyEvent' : 'crossing' };
}

function firedItem(fired: FiredAccount): INodeExecutionData {
	const { result } = fired;
	return {
		json: {
			accountId: result.id,
			accountName: result.name,
			trigger: fired.trigger,
			score: result.score,
			previousScore: fired.previousScore,
			tier: result.tier,
			previousTier: fired.previousTier,
			isPql: result.isPql,
			threshold: result.threshold,
			summary: result.summary,
			reasons: result.reasons,
			users: result.users,
			triggeringEvent: fired.event,
			subtotals: result.subtotals,
			matchedRules: result.matchedRules,
			unmatchedRules: result.unmatchedRules,
			firstSeen: result.firstSeen,
			lastSeen: result.lastSeen,
			activeDays: result.activeDays,
			eventCounts: result.eventCounts,
			scoredAt: result.asOf,
			modelVersion: result.modelVersion,
		} as unknown as IDataObject,
	};
}

async function credentialProblem(credential: ICredentialsDecrypted, auth: (data: IDataObject) => WebhookAuth[]): Promise<INodeCredentialTestResult> {
	const problems = auth(credential.data ?? {})
		.map(webhookAuthProblem)
		.filter((problem): problem is string => problem !== undefined);
	if (problems.length > 0) return { status: 'Error', message: problems.join('; ') };
	return { status: 'OK', message: 'Looks valid. The secret is checked against the first request that arrives.' };
}

export class PqlThresholdTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'PQL Threshold Trigger',
		name: 'pqlThresholdTrigger',
		icon: { light: 'file:pqlThresholdTrigger.svg', dark: 'file:pqlThresholdTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["fireOn"] === "everyEvent" ? "Every scored event (debugging)" : ($parameter["fireOn"] === "threshold" ? "When an account becomes a PQL" : "When an account changes tier") }}',
		description: 'Starts a workflow when an account crosses the PQL threshold, from PostHog or Segment events pushed to its webhook',
		defaults: { name: 'PQL Threshold Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'segmentWebhookApi',
				required: true,
				testedBy: 'segmentWebhookCredentialCheck',
				displayOptions: { show: { authentication: ['segmentSignature', 'segmentWriteKey'] } },
			},
			{
				name: 'pqlWebhookSecretApi',
				required: true,
				testedBy: 'pqlWebhookSecretCredentialCheck',
				displayOptions: { show: { authentication: ['sharedSecretHeader'] } },
			},
			{
				name: 'pqlRedisApi',
				required: true,
				testedBy: 'pqlRedisConnectionTest',
				displayOptions: { show: { stateStore: ['redis'] } },
			},
		],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'pql-events' }],
		properties: pqlThresholdTriggerProperties,
	};

	methods = {
		credentialTest: {
			async segmentWebhookCredentialCheck(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				return await credentialProblem(credential, (data) => [
					...(data.sharedSecret ? [{ kind: 'segmentSignature' as const, secret: String(data.sharedSecret) }] : []),
					...(data.writeKey ? [{ kind: 'segmentWriteKey' as const, writeKey: String(data.writeKey) }] : []),
					...(!data.sharedSecret && !data.writeKey ? [{ kind: 'segmentSignature' as const, secret: '' }] : []),
				]);
			},
			async pqlWebhookSecretCredentialCheck(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				return await credentialProblem(credential, (data) => [
					{ kind: 'sharedSecretHeader', headerName: String(data.headerName ?? ''), secret: String(data.secret ?? '') },
				]);
			},
			async pqlRedisConnectionTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				let client: RedisClient | undefined;
				try {
					client = new RedisClient({ ...redisOptions(credential.data ?? {}), connectAttempts: 1 });
					const reply = await client.command(['PING']);
					return { status: 'OK', message: `Connected: ${String(reply)}` };
				} catch (error) {
					return { status: 'Error', message: (error as Error).message };
				} finally {
					await client?.close();
				}
			},
		},
	};

	webhookMethods = {
		default: {
			// Nothing to register at PostHog or Segment: the URL is pasted into their destination settings.
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			// On deactivation, save the built-in state one last time (n8n saves static data afterwards).
			async delete(this: IHookFunctions): Promise<boolean> {
				const runtime = await dropTriggerRuntime(runtimeKey(this, this.getMode()));
				if (runtime?.memory !== undefined && runtime.unsaved > 0) {
					this.getWorkflowStaticData('node')[STATE_KEY] = runtime.memory.snapshot();
				}
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject();
		const response = this.getResponseObject();
		const mode = this.getMode();
		const options = this.getNodeParameter('settings', {}) as TriggerOptions;
		let runtime: TriggerRuntime;
		let settings: Parameters<typeof ingest>[1];
		try {
			const { crossing, emit } = crossingOptions(this, undefined);
			const model: CompiledModel = cachedModel(JSON.stringify(this.getNode().parameters), () => readScoringModel(this));
			runtime = await openRuntime(this, mode, options, stateRetentionMs(model, crossing.cooldownDays));
			settings = {
				auth: await cachedAuth(this),
				source: this.getNodeParameter('source', 'auto') as EventSource | 'auto',
				normalize: { accountGroupType: options.accountGroupType?.trim() || undefined },
				accountFrom: options.accountFrom ?? 'groupOrEmailDomain',
				model,
				store: runtime.store,
				crossing: { ...crossing, tiers: model.tiers },
				emit: mode === 'manual' ? 'everyEvent' : emit,
				maxBodyBytes: (options.maxBodyKb ?? 2048) * 1024,
				now: Date.now,
			};
		} catch (error) {
			// n8n answers 500 with the message and records a failed execution the user can see.
			throw new NodeOperationError(this.getNode(), error as Error, { description: 'The PQL Threshold Trigger is misconfigured' });
		}

		const rawBody = request.rawBody ?? (await request.readRawBody(), request.rawBody);
		// A store failure (Redis unreachable) throws: n8n answers 500, so the sender retries the events later.
		const outcome = await ingest({ rawBody: rawBody ?? Buffer.alloc(0), headers: request.headers }, settings).catch((error: Error) => {
			throw new NodeOperationError(this.getNode(), error, { description: 'Events were not stored; the sender will retry' });
		});
		runtime.unsaved += outcome.counted;
		const now = Date.now();
		if (mode !== 'manual' && snapshotDue(runtime, outcome.fired.length > 0, now, (options.saveEverySeconds ?? 5) * 1000)) {
			this.getWorkflowStaticData('node')[STATE_KEY] = runtime.memory!.snapshot();
			runtime.lastSavedAt = now;
			runtime.unsaved = 0;
		}
		response.status(outcome.status).json(outcome.body);
		const fired = mode === 'manual' ? outcome.fired.slice(0, 1) : outcome.fired;
		if (fired.length === 0) return { noWebhookResponse: true };
		return { noWebhookResponse: true, workflowData: [fired.map(firedItem)] };
	}
}
