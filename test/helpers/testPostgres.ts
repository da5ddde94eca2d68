/**
 * The PostgreSQL server of the queue-mode tests: 127.0.0.1:5432, user `postgres`, trust auth (here
 * and in CI), or PQL_TEST_POSTGRES=host:port[:user]. Each run gets a database of its own, dropped after.
 * Talks to the server with `psql` (the package's tests have no PostgreSQL driver).
 */
import { spawnSync } from 'child_process';
import { randomUUID } from 'crypto';

export const TEST_POSTGRES_ENV = 'PQL_TEST_POSTGRES';

export interface PostgresServer {
	host: string;
	port: number;
	user: string;
}

export function testPostgres(): PostgresServer {
	const [host = '127.0.0.1', port = '5432', user = 'postgres'] = (process.env[TEST_POSTGRES_ENV] ?? '').split(':').map((part) => part || undefined);
	return { host, port: Number(port), user };
}

function psql(server: PostgresServer, sql: string, database = 'postgres'): { ok: boolean; output: string } {
	const run = spawnSync('psql', ['-h', server.host, '-p', String(server.port), '-U', server.user, '-d', database, '-v', 'ON_ERROR_STOP=1', '-F', '\t', '-Atc', sql], {
		encoding: 'utf8',
		timeout: 30_000,
		env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
	});
	if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
		throw new Error('The queue-mode tests need `psql` (Debian/Ubuntu package postgresql-client) to create their database.');
	}
	return { ok: run.status === 0, output: `${run.stdout ?? ''}${run.stderr ?? ''}`.trim() };
}

/** Fails, naming what is missing, when the server does not answer with trust auth. */
export function assertPostgresAnswers(server: PostgresServer = testPostgres()): void {
	const probe = psql(server, 'select 1');
	if (!probe.ok) {
		throw new Error(
			`The queue-mode tests need PostgreSQL on ${server.host}:${server.port} accepting user "${server.user}" without a password (trust auth): ` +
				`${probe.output || 'no answer'}. Install and start it (Debian/Ubuntu: apt-get install postgresql), ` +
				`or set ${TEST_POSTGRES_ENV}=host:port[:user] to a server that does.`,
		);
	}
}

/** Creates a database with a unique name for this run; returns its name. */
export function createTestDatabase(prefix: string, server: PostgresServer = testPostgres()): string {
	assertPostgresAnswers(server);
	const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`.toLowerCase();
	const created = psql(server, `CREATE DATABASE ${name}`);
	if (!created.ok) throw new Error(`CREATE DATABASE ${name} failed: ${created.output}`);
	return name;
}

/** Drops the database, closing whatever connections are left (PostgreSQL 13+). */
export function dropTestDatabase(name: string, server: PostgresServer = testPostgres()): void {
	const dropped = psql(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
	if (!dropped.ok) throw new Error(`DROP DATABASE ${name} failed: ${dropped.output}`);
}

/** Rows of a query in one of the test databases, each a list of column texts. */
export function queryTestDatabase(name: string, sql: string, server: PostgresServer = testPostgres()): string[][] {
	const result = psql(server, sql, name);
	if (!result.ok) throw new Error(`query on ${name} failed: ${result.output}`);
	return result.output === '' ? [] : result.output.split('\n').map((line) => line.split('\t'));
}
