/**
 * Writes workflows/pql-score-demo.json: a Manual Trigger whose pinned output is a month of product
 * events from five accounts, in the shapes the PQL Score node accepts (PostHog webhook bodies,
 * Segment calls, a Segment batch, flat rows), connected to a PQL Score node scoring as of a fixed date.
 * Run with ts-node when the sample story changes; the demo, the tests and n8n's editor read the workflow.
 */
import { writeFileSync } from 'fs';
import { join } from 'path';

const AS_OF = Date.parse('2026-11-20T12:00:00.000Z');
const DAY = 86_400_000;
const at = (days: number, hour = 10): string => new Date(AS_OF - days * DAY + (hour - 12) * 3_600_000).toISOString();
let counter = 0;
const nextId = (prefix: string) => `${prefix}-${String(++counter).padStart(4, '0')}`;

function posthog(event: string, distinctId: string, company: string, when: string, properties: Record<string, unknown> = {}, person: Record<string, unknown> = {}) {
	return {
		event: {
			uuid: nextId('0193a1b2-ph'),
			event,
			distinct_id: distinctId,
			properties: { ...properties, $groups: { company } },
			elements_chain: '',
			timestamp: when,
			url: `https://eu.posthog.com/project/1/events/${counter}`,
		},
		person: { id: `person-${distinctId}`, name: distinctId, properties: person, url: `https://eu.posthog.com/project/1/person/${distinctId}` },
	};
}

function segment(type: string, userId: string, when: string, fields: Record<string, unknown>) {
	return { type, messageId: nextId('ajs-next'), userId, timestamp: when, context: { library: { name: 'analytics.js', version: '2.11.1' } }, ...fields };
}

const events: unknown[] = [];

// Acme (PostHog): the worked example of PQL.md, 80 points.
const acmeGroup = { company: { id: 'acme', type: 'company', index: 0, url: '', properties: { name: 'Acme Inc', employees: 200, industry: 'Logistics' } } };
events.push({ ...posthog('$groupidentify', 'ada', 'acme', at(30), { $group_type: 'company', $group_key: 'acme', $group_set: { name: 'Acme Inc', employees: 200, industry: 'Logistics' } }) });
for (let day = 0; day < 6; day++) events.push(posthog('user_logged_in', 'ada', 'acme', at(day, 9), {}, { email: 'ada@acme.io', role: 'Designer' }));
events.push(posthog('onboarding_completed', 'ada', 'acme', at(20)));
for (let n = 0; n < 4; n++) events.push(posthog('core_feature_used', 'ada', 'acme', at(n * 5, 11)));
for (const teammate of ['bob@acme.io', 'cy@acme.io', 'di@acme.io']) events.push(posthog('teammate_invited', 'ada', 'acme', at(3, 14), { invitee: teammate }));
events.push(posthog('$pageview', 'ada', 'acme', at(2, 16), { $current_url: 'https://app.example.com/pricing', $pathname: '/pricing' }));
// PostHog sends `groups` only when the destination body asks for it: show the shape on one event.
Object.assign(events[1] as object, { groups: acmeGroup });

// Globex (Segment, one batch): heavy use, an integration, a plan limit and an enterprise request.
const globex: unknown[] = [
	segment('group', 'hank', at(40), { groupId: 'globex', traits: { name: 'Globex', employees: 800, industry: 'Software' } }),
	segment('identify', 'hank', at(40), { traits: { email: 'hank@globex.com', role: 'CTO', created_at: at(40) } }),
];
for (let day = 0; day < 7; day++) globex.push(segment('track', 'hank', at(day, 8), { event: 'Signed In', context: { groupId: 'globex' } }));
globex.push(segment('track', 'hank', at(12), { event: 'Onboarding Completed', context: { groupId: 'globex' } }));
for (let n = 0; n < 9; n++) globex.push(segment('track', n % 2 ? 'hank' : 'iris', at(n, 13), { event: 'Core Feature Used', properties: { feature: 'reports' }, context: { groupId: 'globex' } }));
globex.push(segment('track', 'hank', at(5), { event: 'Integration Connected', properties: { integration: 'salesforce' }, context: { groupId: 'globex' } }));
globex.push(segment('track', 'iris', at(1), { event: 'Plan Limit Reached', properties: { limit: 'seats' }, context: { groupId: 'globex' } }));
globex.push(segment('track', 'hank', at(1, 15), { event: 'Enterprise Features Requested', properties: { feature: 'SSO' }, context: { groupId: 'globex' } }));
events.push({ batch: globex, sentAt: at(0) });

// Initech (flat rows, e-mail domain account): onboarded, a couple of logins, one pricing view.
events.push({ type: 'identify', userId: 'peter', timestamp: at(25), traits: { email: 'peter@initech.com', role: 'Product Manager' } });
events.push({ userId: 'peter', event: 'onboarding_completed', timestamp: at(22) });
for (const day of [1, 4]) events.push({ userId: 'peter', event: 'user_logged_in', timestamp: at(day) });
events.push({ userId: 'peter', type: 'page', event: 'Pricing', timestamp: at(1), properties: { url: 'https://app.example.com/pricing' } });
events.push({ userId: 'peter', event: 'core_feature_used', timestamp: at(1) });

// Umbrella (Segment): a strong start, then silence for four weeks.
events.push(segment('group', 'alice', at(60), { groupId: 'umbrella', traits: { name: 'Umbrella Corp', employees: 5000, industry: 'Pharma' } }));
for (let n = 0; n < 6; n++) events.push(segment('track', 'alice', at(28 + n), { event: 'Core Feature Used', context: { groupId: 'umbrella' } }));
events.push(segment('track', 'alice', at(30), { event: 'Onboarding Completed', context: { groupId: 'umbrella' } }));

// A hobbyist on a personal address: no account, not scored per account.
events.push({ userId: 'joe', email: 'joe.hobby@gmail.com', event: 'user_logged_in', timestamp: at(1) });

// Two events the node should report instead of scoring.
events.push({ userId: 'peter', event: 'user_logged_in', timestamp: 'yesterday' });
events.push({ note: 'not an event' });

const workflow = {
	name: 'PQL Score: sample events (demo)',
	nodes: [
		{ id: '5c1d3f0e-0001-4a8e-9d1a-000000000001', name: 'Sample Events', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: '5c1d3f0e-0002-4a8e-9d1a-000000000002',
			name: 'PQL Score',
			type: 'n8n-nodes-pql.pqlScore',
			typeVersion: 1,
			position: [260, 0],
			parameters: { rulesSource: 'presetWithNegatives', options: { asOf: new Date(AS_OF).toISOString() } },
		},
	],
	connections: { 'Sample Events': { main: [[{ node: 'PQL Score', type: 'main', index: 0 }]] } },
	pinData: { 'Sample Events': events.map((json) => ({ json })) },
	settings: { executionOrder: 'v1' },
};
writeFileSync(join(__dirname, '../../workflows/pql-score-demo.json'), JSON.stringify(workflow, null, '\t') + '\n');
console.log(`${events.length} sample items written; scored as of ${new Date(AS_OF).toISOString()}`);
