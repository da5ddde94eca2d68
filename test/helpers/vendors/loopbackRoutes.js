/**
 * Preloaded into a real n8n (NODE_OPTIONS="--require <this file>") so that its connections to the
 * vendors' real host names reach the local stand-ins: every TCP connection to a `host:port` listed
 * in PQL_VENDOR_ROUTES (JSON: {"api.hubapi.com:443": "127.0.0.1:41234", ...}) goes to the listed
 * address instead. TLS still checks the certificate against the vendor's host name (SNI and
 * identity use the original host), so NODE_EXTRA_CA_CERTS must trust the test CA. Plain JS: n8n
 * loads it without a compiler. Other connections are untouched.
 */
'use strict';
const net = require('net');

const routes = JSON.parse(process.env.PQL_VENDOR_ROUTES || '{}');
const originalConnect = net.Socket.prototype.connect;

function routed(options) {
	if (options === null || typeof options !== 'object') return undefined;
	const host = String(options.host || 'localhost').toLowerCase();
	const target = routes[`${host}:${Number(options.port)}`];
	if (target === undefined) return undefined;
	const at = target.lastIndexOf(':');
	return { ...options, host: target.slice(0, at), port: Number(target.slice(at + 1)) };
}

net.Socket.prototype.connect = function connect(...args) {
	// connect(options[, cb]) from http/https/tls agents; connect(port[, host][, cb]) elsewhere.
	if (args[0] !== null && typeof args[0] === 'object' && !Array.isArray(args[0])) {
		const rewritten = routed(args[0]);
		if (rewritten) return originalConnect.call(this, rewritten, ...args.slice(1));
	} else if (typeof args[0] === 'number' || typeof args[0] === 'string') {
		const host = typeof args[1] === 'string' ? args[1] : undefined;
		const rewritten = routed({ port: args[0], host });
		if (rewritten) return originalConnect.call(this, rewritten, ...args.slice(host === undefined ? 1 : 2));
	}
	return originalConnect.apply(this, args);
};
