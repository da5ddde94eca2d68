/**
 * The Upstash-compatible REST bridge against the real Redis of the test run, over real HTTP(S) on
 * loopback: the documented request and answer shapes (https://upstash.com/docs/redis/features/restapi),
 * including its own examples, auth, errors, transactions that really are atomic, and HTTPS with a test CA.
 */
import { randomUUID } from 'crypto';
import * as https from 'https';
import { freePort, httpRequest, type HttpResult } from './n8nServer';
import { testRedis } from './testRedis';
import { startUpstashBridge, UNAUTHORIZED_ERROR, type UpstashBridge } from './upstashBridge';

const TOKEN = `bridge-test-${randomUUID()}`;
const RUN = `bridge-test-${randomUUID().slice(0, 8)}:`;
const key = (name: string) => `${RUN}${name}`;

let bridge: UpstashBridge;

beforeAll(async () => {
	bridge = await startUpstashBridge({ redis: testRedis(), token: TOKEN });
});

afterAll(async () => {
	// Remove this run's keys through the bridge itself.
	const keys = (await call('/', ['KEYS', `${RUN}*`])).json as { result: string[] };
	if (keys.result.length > 0) await call('/', ['DEL', ...keys.result]);
	await bridge.close();
});

async function call(path: string, body?: unknown, options: { method?: string; headers?: Record<string, string> } = {}): Promise<HttpResult & { json: unknown }> {
	const result = await httpRequest(`${bridge.url}${path}`, {
		method: options.method ?? 'POST',
		headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(options.headers ?? {}) },
		body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
	});
	return { ...result, json: result.body ? (JSON.parse(result.body) as unknown) : undefined };
}

describe('auth', () => {
	test('no token, or a wrong one, is 401 with Upstash\'s error body and runs nothing', async () => {
		for (const authorization of [undefined, 'Bearer wrong', `Basic ${TOKEN}`]) {
			const headers: Record<string, string> = { 'content-type': 'application/json' };
			if (authorization) headers.authorization = authorization;
			const answer = await httpRequest(bridge.url, { method: 'POST', headers, body: JSON.stringify(['SET', key('unauth'), 'x']) });
			expect({ status: answer.status, body: JSON.parse(answer.body) }).toEqual({ status: 401, body: { error: UNAUTHORIZED_ERROR } });
		}
		expect((await call('/', ['EXISTS', key('unauth')])).json).toEqual({ result: 0 });
	});

	test('the token may come as the _token query parameter', async () => {
		const answer = await httpRequest(`${bridge.url}/?_token=${encodeURIComponent(TOKEN)}`, { method: 'POST', body: JSON.stringify(['PING']) });
		expect({ status: answer.status, body: JSON.parse(answer.body) }).toEqual({ status: 200, body: { result: 'PONG' } });
	});
});

describe('POST / with a command array', () => {
	test('SET with PX and a number argument, then GET: strings stay strings', async () => {
		expect(await call('/', ['SET', key('k'), 'v', 'PX', 60_000])).toMatchObject({ status: 200, json: { result: 'OK' } });
		expect((await call('/', ['GET', key('k')])).json).toEqual({ result: 'v' });
		const ttl = (await call('/', ['PTTL', key('k')])).json as { result: number };
		expect(ttl.result).toBeGreaterThan(50_000);
		expect(ttl.result).toBeLessThanOrEqual(60_000);
	});

	test('RESP types map as Upstash maps them: integers → numbers, nil → null, arrays → arrays', async () => {
		expect((await call('/', ['INCRBY', key('n'), 41])).json).toEqual({ result: 41 });
		expect((await call('/', ['GET', key('missing')])).json).toEqual({ result: null });
		await call('/', ['RPUSH', key('list'), 'a', 'b', 'c']);
		expect((await call('/', ['LRANGE', key('list'), 0, -1])).json).toEqual({ result: ['a', 'b', 'c'] });
		expect((await call('/', ['MGET', key('n'), key('missing')])).json).toEqual({ result: ['41', null] });
		await call('/', ['HSET', key('hash'), 'f', '{"json":true}']);
		expect((await call('/', ['HGETALL', key('hash')])).json).toEqual({ result: ['f', '{"json":true}'] });
		// EVAL returning a nested table
		expect((await call('/', ['EVAL', "return {1, 'two', {3, false}}", 0])).json).toEqual({ result: [1, 'two', [3, null]] });
	});

	test('a compare-and-set in Lua (EVAL with KEYS and ARGV) is one atomic command', async () => {
		const script = "if redis.call('HGET', KEYS[1], 'v') == ARGV[1] or (ARGV[1] == '0' and redis.call('EXISTS', KEYS[1]) == 0) then redis.call('HSET', KEYS[1], 'v', ARGV[2], 's', ARGV[3]) return 1 end return 0";
		expect((await call('/', ['EVAL', script, 1, key('cas'), '0', '1', '{"n":1}'])).json).toEqual({ result: 1 });
		expect((await call('/', ['EVAL', script, 1, key('cas'), '0', '1', '{"n":2}'])).json).toEqual({ result: 0 });
		expect((await call('/', ['HGET', key('cas'), 's'])).json).toEqual({ result: '{"n":1}' });
	});

	test("a Redis error is 400 with Redis's own error text", async () => {
		const answer = await call('/', ['GET']);
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
		await call('/', ['SET', key('text'), 'not a number']);
		expect(await call('/', ['INCR', key('text')])).toMatchObject({ status: 400, json: { error: 'ERR value is not an integer or out of range' } });
	});

	test('malformed bodies are 400 with an error naming what is wrong', async () => {
		expect(await call('/', '{"not": "an array"}')).toMatchObject({ status: 400, json: { error: expect.stringMatching(/expected a non-empty JSON array/) } });
		expect(await call('/', '["SET", ')).toMatchObject({ status: 400, json: { error: expect.stringMatching(/^ERR failed to parse command/) } });
		expect(await call('/', ['SET', key('x'), { nested: true }])).toMatchObject({ status: 400, json: { error: expect.stringMatching(/argument 2 is object/) } });
	});

	test('commands that would block or change the shared connection are refused, saying why', async () => {
		for (const command of [['BLPOP', key('q'), 0], ['SUBSCRIBE', 'c'], ['SELECT', 1], ['MULTI']]) {
			expect(await call('/', command)).toMatchObject({ status: 400, json: { error: expect.stringMatching(/not supported by this REST bridge/) } });
		}
	});
});

describe('path commands, as in the docs', () => {
	test('GET /set/foo/bar, then /get/foo; POST /set/foo?EX=100 with the value as body', async () => {
		const foo = encodeURIComponent(key('foo'));
		expect((await call(`/set/${foo}/bar`, undefined, { method: 'GET' })).json).toEqual({ result: 'OK' });
		expect((await call(`/get/${foo}`, undefined, { method: 'GET' })).json).toEqual({ result: 'bar' });
		expect((await call(`/set/${foo}?EX=100`, '{"a":"json value"}')).json).toEqual({ result: 'OK' });
		expect((await call(`/get/${foo}`, undefined, { method: 'GET' })).json).toEqual({ result: '{"a":"json value"}' });
		const ttl = (await call(`/ttl/${foo}`, undefined, { method: 'GET' })).json as { result: number };
		expect(ttl.result).toBeGreaterThan(90);
	});

	test('methods other than HEAD, GET, POST and PUT are 405', async () => {
		expect((await call('/', undefined, { method: 'DELETE' })).status).toBe(405);
		expect((await call('/', ['PING'], { method: 'PATCH' })).status).toBe(405);
		expect((await call('/ping', undefined, { method: 'HEAD' })).status).toBe(200);
	});

	test('Upstash-Encoding: base64 encodes every string of the result except "OK"', async () => {
		expect((await call('/', ['SET', key('b64'), 'bar'], { headers: { 'upstash-encoding': 'base64' } })).json).toEqual({ result: 'OK' });
		expect((await call('/', ['GET', key('b64')], { headers: { 'upstash-encoding': 'base64' } })).json).toEqual({ result: 'YmFy' });
		expect((await call('/', ['MGET', key('b64'), key('none')], { headers: { 'upstash-encoding': 'base64' } })).json).toEqual({ result: ['YmFy', null] });
	});

	test('the resp2 response format is refused as not implemented', async () => {
		expect(await call('/', ['PING'], { headers: { 'upstash-response-format': 'resp2' } })).toMatchObject({ status: 400, json: { error: expect.stringMatching(/json response format/) } });
	});
});

describe('POST /pipeline and /multi-exec', () => {
	const docExample = () => [
		['SET', key('key1'), 'valuex'],
		['SETEX', key('key2'), 13, 'valuez'],
		['INCR', key('key1')],
		['ZADD', key('myset'), 11, 'item1', 22, 'item2'],
	];
	const docAnswer = [{ result: 'OK' }, { result: 'OK' }, { error: 'ERR value is not an integer or out of range' }, { result: 2 }];

	test("the docs' pipeline example gives the docs' answer", async () => {
		expect(await call('/pipeline', docExample())).toMatchObject({ status: 200, json: docAnswer });
	});

	test("the docs' transaction example gives the docs' answer: a run-time error does not stop the others", async () => {
		await call('/', ['DEL', key('key1'), key('key2'), key('myset')]);
		expect(await call('/multi-exec', docExample())).toMatchObject({ status: 200, json: docAnswer });
	});

	test('a transaction Redis discards (a command refused while queueing) is one 400 error and runs nothing', async () => {
		const answer = await call('/multi-exec', [
			['SET', key('discarded'), '1'],
			['NOSUCHCOMMAND', 'x'],
		]);
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({ error: expect.stringMatching(/^ERR unknown command 'NOSUCHCOMMAND'/) });
		expect((await call('/', ['EXISTS', key('discarded')])).json).toEqual({ result: 0 });
	});

	test('transactions are atomic under concurrency; a pipeline is not a transaction', async () => {
		const counter = key('counter');
		const requests = Array.from({ length: 60 }, (_, i) =>
			i % 3 === 2
				? call('/pipeline', [['INCR', counter]]).then(() => undefined)
				: call('/multi-exec', [
						['INCR', counter],
						['GET', counter],
					]).then((answer) => answer.json as [{ result: number }, { result: string }]),
		);
		const answers = (await Promise.all(requests)).filter((answer) => answer !== undefined);
		// Inside a transaction nothing runs between INCR and GET: GET reads exactly what INCR made.
		for (const [incremented, read] of answers) expect(Number(read.result)).toBe(incremented.result);
		expect((await call('/', ['GET', counter])).json).toEqual({ result: '60' });
	});

	test('malformed pipelines are 400', async () => {
		expect((await call('/pipeline', ['GET', 'x'])).status).toBe(400);
		expect((await call('/multi-exec', [])).status).toBe(400);
	});
});

test('a Redis that cannot be reached is 500 naming it', async () => {
	const orphan = await startUpstashBridge({ redis: { host: '127.0.0.1', port: await freePort() }, token: TOKEN });
	try {
		const answer = await httpRequest(orphan.url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '["PING"]' });
		expect(answer.status).toBe(500);
		expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(/^ERR Redis is unreachable: Redis at 127\.0\.0\.1:\d+ is unreachable/) });
	} finally {
		await orphan.close();
	}
});

test('HTTPS with a throw-away CA: trusted with the CA, refused without it', async () => {
	const secure = await startUpstashBridge({ redis: testRedis(), token: TOKEN, tls: true });
	const post = (ca?: string) =>
		new Promise<{ status: number; body: string }>((resolve, reject) => {
			const request = https.request(`${secure.url}/`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, ca }, (response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
			});
			request.on('error', reject);
			request.end('["PING"]');
		});
	try {
		expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
		expect(await post(secure.ca)).toEqual({ status: 200, body: '{"result":"PONG"}' });
		await expect(post()).rejects.toThrow(/self[- ]signed certificate|unable to verify/);
	} finally {
		await secure.close();
	}
});
