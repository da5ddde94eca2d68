/**
 * The vendors' stand-ins on one test network: HubSpot, Salesforce, Slack and PostHog's query API
 * (us. and eu.posthog.com) over HTTPS under their real host names (one test CA, one certificate), an SMTP server on loopback, and the environment
 * that makes a real n8n process reach them: NODE_EXTRA_CA_CERTS for the CA, and a --require preload
 * (./loopbackRoutes.js) that sends its connections to `<vendor host>:443` to the stand-ins.
 * Pass `n8nEnv` to startN8n({ env }); nothing else on the machine is affected.
 */
import * as path from 'path';
import { generateKeyPairSync } from 'crypto';
import { POSTHOG_HOSTS, startPostHogQueryStandIn, type PostHogStandIn, type PostHogStandInOptions } from './posthogQuery';
import { HUBSPOT_HOST, startHubSpotStandIn, type HubSpotStandIn, type HubSpotStandInOptions } from './hubspot';
import { SALESFORCE_HOSTS, startSalesforceStandIn, type SalesforceStandIn, type SalesforceStandInOptions } from './salesforce';
import { SLACK_HOST, startSlackStandIn, type SlackStandIn, type SlackStandInOptions } from './slack';
import { startSmtpStandIn, type SmtpStandIn, type SmtpStandInOptions } from './smtp';
import { createTestTls, type TestTls } from './tls';

export const LOOPBACK_ROUTES_PRELOAD = path.join(__dirname, 'loopbackRoutes.js');

export interface SalesforceApp {
	clientId: string;
	username: string;
	/** PEM (PKCS#8) private key, as the n8n "Salesforce JWT API" credential holds it. */
	privateKey: string;
}

export interface VendorNetworkOptions {
	hubspot?: Omit<HubSpotStandInOptions, 'tls'>;
	salesforce?: Partial<Omit<SalesforceStandInOptions, 'tls' | 'publicKeyPem'>>;
	slack?: Omit<SlackStandInOptions, 'tls'>;
	smtp?: Omit<SmtpStandInOptions, 'tls'>;
	posthog?: Omit<PostHogStandInOptions, 'tls'>;
}

export interface VendorNetwork {
	tls: TestTls;
	hubspot: HubSpotStandIn;
	salesforce: SalesforceStandIn;
	salesforceApp: SalesforceApp;
	slack: SlackStandIn;
	smtp: SmtpStandIn;
	posthog: PostHogStandIn;
	/** For the n8n process: CA, preload and routes. */
	n8nEnv: Record<string, string>;
	close(): Promise<void>;
}

export async function startVendorNetwork(options: VendorNetworkOptions = {}): Promise<VendorNetwork> {
	const tls = createTestTls([HUBSPOT_HOST, SLACK_HOST, ...SALESFORCE_HOSTS, ...POSTHOG_HOSTS]);
	const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const salesforceApp: SalesforceApp = {
		clientId: options.salesforce?.clientId ?? '3MVG9-stand-in-consumer-key',
		username: options.salesforce?.username ?? 'integration@pql-e2e.example.com',
		privateKey: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
	};
	const [hubspot, salesforce, slack, smtp, posthog] = await Promise.all([
		startHubSpotStandIn({ ...options.hubspot, tls }),
		startSalesforceStandIn({ ...options.salesforce, ...salesforceApp, publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(), tls }),
		startSlackStandIn({ ...options.slack, tls }),
		startSmtpStandIn({ ...options.smtp, tls }),
		startPostHogQueryStandIn({ ...options.posthog, tls }),
	]);
	const routes: Record<string, string> = { [`${HUBSPOT_HOST}:443`]: `127.0.0.1:${hubspot.server.port}`, [`${SLACK_HOST}:443`]: `127.0.0.1:${slack.server.port}` };
	for (const host of SALESFORCE_HOSTS) routes[`${host}:443`] = `127.0.0.1:${salesforce.server.port}`;
	for (const host of POSTHOG_HOSTS) routes[`${host}:443`] = `127.0.0.1:${posthog.server.port}`;
	return {
		tls,
		hubspot,
		salesforce,
		salesforceApp,
		slack,
		smtp,
		posthog,
		n8nEnv: {
			NODE_EXTRA_CA_CERTS: tls.caFile,
			NODE_OPTIONS: `--require ${LOOPBACK_ROUTES_PRELOAD}`,
			PQL_VENDOR_ROUTES: JSON.stringify(routes),
		},
		async close() {
			await Promise.all([hubspot.close(), salesforce.close(), slack.close(), smtp.close(), posthog.close()]);
			tls.remove();
		},
	};
}
