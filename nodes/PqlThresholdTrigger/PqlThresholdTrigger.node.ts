import {
	NodeConnectionTypes,
	NodeOperationError,
	sleep,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IDataObject,
	type IHookFunctions,
	type INodeCredentialTestResult,
	type INodeType,
	type INodeTypeDescription,
	type IRun,
	type ITriggerFunctions,
	type ITriggerResponse,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import type { EventSource } from '../engine/events';
import { ingest } from '../engine/ingest/pipeline';
import { webhookAuthProblem, type WebhookAuth } from '../engine/ingest/verify';
import { StoreStoppedError } from '../engine/state/memoryStore';
import { dropTriggerRuntime, findTriggerRuntime } from '../engine/state/triggerRuntime';
import { pqlThresholdTriggerProperties } from './PqlThresholdTrigger.properties';
import { DEFAULT_CHECK_EVERY_SECONDS, readTriggerSettings, type TriggerSettings } from './settings';
import { buildSnapshotInSteps, cachedCredentials, openRuntime, runtimeKey, saveDue, saveJournal, saveSnapshot, type StoreContext } from './stores';
import { capacityWarning, tick } from './timer';

/** How long a stopping n8n waits at most for the execution that saves the final state. */
const STOP_SAVE_WAIT_MS = 5000;

async function readAuth(ctx: IWebhookFunctions): Promise<WebhookAuth> {
	const kind = ctx.getNodeParameter('authentication', 'segmentSignature') as string;
	const context = ctx as unknown as StoreContext;
	if (kind === 'segmentSignature' || kind === 'segmentWriteKey') {
		const credentials = await cachedCredentials(context, 'segmentWebhookApi');
		return kind === 'segmentSignature'
			? { kind, secret: String(credentials.sharedSecret ?? '') }
			: { kind, writeKey: String(credentials.writeKey ?? '') };
	}
	if (kind === 'sharedSecretHeader') {
		const credentials = await cachedCredentials(context, 'pqlWebhookSecretApi');
		return { kind, headerName: String(credentials.headerName ?? ''), secret: String(credentials.secret ?? '') };
	}
	return { kind: 'none' };
}

function settingsOf(ctx: IWebhookFunctions | ITriggerFunctions | IHookFunctions): TriggerSettings {
	const read = (name: string, fallback: unknown) => ctx.getNodeParameter(name, fallback) as unknown;
	return readTriggerSettings(read, JSON.stringify(ctx.getNode().parameters));
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
		subtitle:
			'={{ ({ threshold: "When an account becomes a PQL", tierUp: "When the tier goes up", tierDown: "When the tier goes down", tierAny: "When an account changes tier", wentQuiet: "When an account goes quiet", everyEvent: "Every scored event (debugging)" })[$parameter["fireOn"]] }}',
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
				name: 'pqlRedisRestApi',
				required: true,
				displayOptions: { show: { stateStore: ['redisRest'] } },
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
				const context = this as unknown as StoreContext;
				const runtime = await dropTriggerRuntime(runtimeKey(context, false));
				if (runtime?.memory !== undefined) saveSnapshot(context, runtime, Date.now());
				return true;
			},
		},
	};

	/**
	 * The timer, on the main process: accounts whose score changes with time alone, and the
	 * delivery of committed crossings to executions (at least once).
	 */
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		if (this.getMode() === 'manual') return {};
		const settings = settingsOf(this);
		const known = findTriggerRuntime(runtimeKey(this as unknown as StoreContext, false));
		if (known?.memory !== undefined) known.memory.stopped = false;
		const seconds = Math.max(1, Math.round(settings.options.checkEverySeconds ?? DEFAULT_CHECK_EVERY_SECONDS));
		const context = this as unknown as StoreContext;
		let running = false;
		const onTick = async () => {
			if (running) return;
			running = true;
			try {
				const runtime = await openRuntime(context, false, settings);
				await tick(this, runtime, settings, Date.now());
			} catch (error) {
				this.logger.warn(`PQL Threshold Trigger: time-based check failed, retrying on the next tick: ${(error as Error).message}`);
			} finally {
				running = false;
			}
		};
		this.helpers.registerCron({ expression: `*/${seconds} * * * * *` as never }, () => void onTick());
		void onTick();
		return {
			// Deactivation saves in the webhook's delete (which drops the runtime first): a runtime still
			// here means n8n is stopping. It closes its database while webhooks still answer, and swallows
			// the failed saves: from now on the built-in store refuses events (503, the sender retries).
			closeFunction: async () => {
				const runtime = findTriggerRuntime(runtimeKey(context, false));
				if (runtime?.memory === undefined) return;
				runtime.memory.stopped = true;
				if (runtime.memory.changes === 0) return;
				saveSnapshot(context, runtime, Date.now());
				// n8n saves a trigger's static data only when it emits. No items: the execution runs no other node.
				const done = this.helpers.createDeferredPromise<IRun>();
				this.emit([[]], undefined, done);
				await Promise.race([done.promise.catch(() => undefined), sleep(STOP_SAVE_WAIT_MS)]);
			},
		};
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject();
		const response = this.getResponseObject();
		const manual = this.getMode() === 'manual';
		const context = this as unknown as StoreContext;
		let settings: TriggerSettings;
		let runtime;
		let auth: WebhookAuth;
		try {
			settings = settingsOf(this);
			runtime = await openRuntime(context, manual, settings);
			auth = await readAuth(this);
		} catch (error) {
			// n8n answers 500 with the message and records a failed execution the user can see.
			throw new NodeOperationError(this.getNode(), error as Error, { description: 'The PQL Threshold Trigger is misconfigured' });
		}
		const options = settings.options;
		const rawBody = request.rawBody ?? (await request.readRawBody(), request.rawBody);
		// A store failure throws: n8n answers 500, nothing of the request is committed, and the sender retries.
		const outcome = await ingest(
			{ rawBody: rawBody ?? Buffer.alloc(0), headers: request.headers },
			{
				...settings,
				emit: manual ? 'everyEvent' : settings.emit,
				auth,
				source: this.getNodeParameter('source', 'auto') as EventSource | 'auto',
				normalize: { accountGroupType: options.accountGroupType?.trim() || undefined },
				store: runtime.store,
				maxBodyBytes: (options.maxBodyKb ?? 2048) * 1024,
				now: Date.now,
			},
		).catch((error: Error) => {
			if (error instanceof StoreStoppedError) return undefined;
			throw new NodeOperationError(this.getNode(), error, { description: 'Events were not stored; the sender will retry' });
		});
		if (outcome === undefined) {
			response.status(503).setHeader('Retry-After', '30').json({ error: new StoreStoppedError().message });
			return { noWebhookResponse: true };
		}
		const body = { ...outcome.body } as IDataObject;
		const warning = manual ? undefined : capacityWarning(runtime);
		if (warning !== undefined) body.warning = warning;
		if (manual) {
			response.status(outcome.status).json(body);
			const first = outcome.fired[0];
			if (first === undefined) return { noWebhookResponse: true };
			await runtime.store.delivered([first.fireId]);
			return { noWebhookResponse: true, workflowData: [[{ json: first.item as IDataObject }]] };
		}
		const now = Date.now();
		const save = saveDue(runtime, outcome.fired.length > 0, now, (options.saveEverySeconds ?? 5) * 1000);
		if (save.journal) saveJournal(context, runtime, now);
		if (save.snapshot) {
			buildSnapshotInSteps(runtime, now).catch((error: Error) => this.logger.warn(`PQL Threshold Trigger: the state snapshot failed, retrying later: ${error.message}`));
		}
		if (outcome.status !== 200) {
			response.status(outcome.status).json(body);
			return { noWebhookResponse: true };
		}
		// Answered by n8n after it has saved the static data: a crossing acknowledged to the sender is on disk.
		return { webhookResponse: body };
	}
}
