/**
 * A stand-in for Slack's Web API (https://slack.com/api/…) as n8n's Slack node v2.x calls it with a
 * bot token (`Authorization: Bearer xoxb-…`). Like Slack, it answers HTTP 200 with `{ok: false,
 * error}` for application errors (invalid_auth, channel_not_found, no_text, invalid_blocks).
 * Methods: chat.postMessage, chat.postEphemeral, auth.test, users.profile.get (the credential
 * test), conversations.list, conversations.info. Tests read `messages`.
 */
import { startVendorServer, type RecordedRequest, type VendorAnswer, type VendorServer, type VendorServerOptions } from './vendorServer';

export const SLACK_HOST = 'slack.com';
export const SLACK_STAND_IN_TOKEN = 'xoxb-1111-2222-stand-in';
const TEAM_ID = 'T0PQLE2E1';
const BOT_USER = 'U0PQLBOT1';
const BOT_ID = 'B0PQLBOT1';

export interface SlackChannel {
	id: string;
	name: string;
}

export interface SlackMessage {
	method: 'chat.postMessage' | 'chat.postEphemeral';
	channel: string;
	text?: string;
	blocks?: Array<Record<string, unknown>>;
	ts: string;
	/** Everything the client sent. */
	body: Record<string, unknown>;
}

export interface SlackStandInOptions extends VendorServerOptions {
	token?: string;
	channels?: SlackChannel[];
}

export interface SlackStandIn {
	readonly server: VendorServer;
	readonly token: string;
	readonly channels: SlackChannel[];
	readonly messages: SlackMessage[];
	close(): Promise<void>;
}

const ok = (body: Record<string, unknown>): VendorAnswer => ({ status: 200, body: { ok: true, ...body } });
const fail = (error: string, extra: Record<string, unknown> = {}): VendorAnswer => ({ status: 200, body: { ok: false, error, ...extra } });

function blocksOf(value: unknown): Array<Record<string, unknown>> | undefined | 'invalid' {
	if (value === undefined || value === '') return undefined;
	const parsed = typeof value === 'string' ? (() => { try { return JSON.parse(value) as unknown; } catch { return 'invalid'; } })() : value;
	if (!Array.isArray(parsed) || parsed.length > 50) return 'invalid';
	return parsed.every((block) => block && typeof block === 'object' && typeof (block as { type?: unknown }).type === 'string') ? (parsed as Array<Record<string, unknown>>) : 'invalid';
}

export async function startSlackStandIn(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
	const token = options.token ?? SLACK_STAND_IN_TOKEN;
	const channels = options.channels ?? [{ id: 'C0PQLALERT', name: 'pql-alerts' }];
	const messages: SlackMessage[] = [];
	let tsCounter = 0;

	const findChannel = (value: unknown) => {
		const key = String(value ?? '').replace(/^#/, '');
		return channels.find((channel) => channel.id === key || channel.name === key);
	};

	function post(method: SlackMessage['method'], body: Record<string, unknown>): VendorAnswer {
		const channel = findChannel(body.channel);
		if (!channel) return fail('channel_not_found');
		const blocks = blocksOf(body.blocks);
		if (blocks === 'invalid') return fail('invalid_blocks', { response_metadata: { messages: ['[ERROR] invalid blocks'] } });
		const text = typeof body.text === 'string' ? body.text : undefined;
		if (!text && !blocks && !body.attachments) return fail('no_text');
		tsCounter++;
		const ts = `${Math.floor(Date.now() / 1000)}.${String(tsCounter).padStart(6, '0')}`;
		messages.push({ method, channel: channel.id, text, blocks, ts, body });
		if (method === 'chat.postEphemeral') return ok({ message_ts: ts });
		return ok({ channel: channel.id, ts, message: { type: 'message', subtype: 'bot_message', text: text ?? '', user: BOT_USER, bot_id: BOT_ID, blocks, ts, team: TEAM_ID } });
	}

	function route(request: RecordedRequest): VendorAnswer {
		const method = request.path.replace(/^\/api\//, '');
		if (!request.path.startsWith('/api/')) return { status: 404, body: 'Not Found' };
		if (request.headers.authorization !== `Bearer ${token}`) return fail('invalid_auth');
		const body = { ...Object.fromEntries(request.query), ...((request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>) };
		switch (method) {
			case 'chat.postMessage':
			case 'chat.postEphemeral':
				return post(method, body);
			case 'auth.test':
				return ok({ url: 'https://pql-e2e.slack.com/', team: 'PQL e2e', user: 'pqlbot', team_id: TEAM_ID, user_id: BOT_USER, bot_id: BOT_ID, is_enterprise_install: false });
			case 'users.profile.get':
				return ok({ profile: { real_name: 'PQL Bot', display_name: 'pqlbot', email: 'pqlbot@example.com', bot_id: BOT_ID } });
			case 'conversations.list':
				return ok({ channels: channels.map((c) => ({ id: c.id, name: c.name, is_channel: true, is_private: false, is_archived: false, is_member: true })), response_metadata: { next_cursor: '' } });
			case 'conversations.info': {
				const channel = findChannel(body.channel);
				return channel ? ok({ channel: { id: channel.id, name: channel.name, is_channel: true, is_member: true } }) : fail('channel_not_found');
			}
			default:
				return fail('unknown_method', { req_method: method });
		}
	}

	const server = await startVendorServer(route, options);
	return { server, token, channels, messages, close: () => server.close() };
}
