import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from './config.ts';

const testKey = `1:${Buffer.alloc(32, 1).toString('base64')}`;
const production: Record<string, string> = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://ib@db.internal/ib',
  ENCRYPTION_KEYS: testKey,
  TLS_CERT_FILE: '/etc/ib/tls.crt',
  TLS_KEY_FILE: '/etc/ib/tls.key',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `a ConfigError, not ${String(error)}`);
    return error.problems;
  }
  assert.fail('the configuration was accepted');
}

test('an empty environment gives the embedded demo defaults', () => {
  const config = parseConfig({});
  assert.equal(config.production, false);
  assert.equal(config.host, '127.0.0.1', 'only this machine, until told otherwise');
  assert.equal(config.port, 8443);
  assert.equal(config.httpRedirectPort, undefined);
  assert.equal(config.publicUrl, 'https://localhost:8443');
  assert.equal(config.dataDir, './data');
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.encryptionKeys, undefined);
  assert.equal(config.smtpUrl, undefined);
  assert.equal(config.sessionIdleSeconds, 600, 'R7.1: 10 minutes');
  assert.equal(config.sessionAbsoluteSeconds, 4 * 3600);
  assert.equal(config.passwordMaxAgeDays, 90, 'R2.6: 90 days');
  assert.equal(config.logonRatePerMinute, 30);
  assert.equal(config.seedDemo, true, 'the embedded default seeds the demo');
  assert.equal(config.logLevel, 'info');
  assert.match(config.mailFrom, /^[^@\s]+@[^@\s]+$/);
  assert.equal(config.operatorHost, '127.0.0.1', 'the console too listens on this machine only, until told otherwise');
  assert.equal(config.operatorPort, 9443);
  assert.equal(config.operatorAllowedIps, undefined, 'no allow-list unless one is given');
  assert.equal(config.operatorTlsCertFile, undefined);
  assert.equal(config.operatorSessionIdleSeconds, 600);
  assert.equal(config.operatorSessionAbsoluteSeconds, 8 * 3600);
});

test('empty and blank values count as unset; values are trimmed', () => {
  const config = parseConfig({ PORT: '', HOST: '   ', DATA_DIR: ' /srv/ib ', SESSION_IDLE_SECONDS: ' 900 ' });
  assert.equal(config.port, 8443);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.dataDir, '/srv/ib');
  assert.equal(config.sessionIdleSeconds, 900);
});

test('given values are used: port, public URL without trailing slash, flags as true/false/1/0', () => {
  const config = parseConfig({ PORT: '9444', PUBLIC_URL: 'https://ib.bank.example//', HTTP_REDIRECT_PORT: '8080', SEED_DEMO: '0' });
  assert.equal(config.port, 9444);
  assert.equal(config.publicUrl, 'https://ib.bank.example');
  assert.equal(config.httpRedirectPort, 8080);
  assert.equal(config.seedDemo, false);
  assert.equal(parseConfig({ SEED_DEMO: '1' }).seedDemo, true);
  assert.equal(parseConfig({ SEED_DEMO: 'true' }).seedDemo, true);
  assert.equal(parseConfig({ PORT: '9000' }).publicUrl, 'https://localhost:9000');
});

test('with DATABASE_URL the demo is not seeded unless asked for', () => {
  assert.equal(parseConfig({ DATABASE_URL: 'postgres://localhost/ib' }).seedDemo, false);
  assert.equal(parseConfig({ DATABASE_URL: 'postgresql://localhost/ib', SEED_DEMO: 'true' }).seedDemo, true);
});

test('decision 0034: the wait for a database connection is bounded by default, below a balancer\'s 60 s, and configurable within 100 ms to 60 s', () => {
  assert.equal(parseConfig({}).databaseConnectionWaitMs, 15_000);
  assert.equal(parseConfig({ DATABASE_CONNECTION_WAIT_MS: '2500' }).databaseConnectionWaitMs, 2500);
  for (const value of ['0', '99', '60001']) {
    const problems = problemsOf({ DATABASE_CONNECTION_WAIT_MS: value });
    assert.equal(problems.length, 1, value);
    assert.ok(problems[0]!.startsWith('DATABASE_CONNECTION_WAIT_MS'), problems[0]);
  }
});

test('every bad value is reported together, each naming its variable', () => {
  const bad: Record<string, string> = {
    PORT: 'https',
    HTTP_REDIRECT_PORT: '70000',
    SESSION_IDLE_SECONDS: '99999',
    SESSION_ABSOLUTE_SECONDS: '-5',
    PASSWORD_MAX_AGE_DAYS: '0',
    LOGON_RATE_PER_MINUTE: '1.5',
    SEED_DEMO: 'yes',
    DATABASE_URL: 'mysql://localhost/ib',
    SMTP_URL: 'http://mail.example',
  };
  const problems = problemsOf(bad);
  assert.equal(problems.length, Object.keys(bad).length, problems.join('\n'));
  for (const name of Object.keys(bad)) {
    assert.ok(problems.some((p) => p.startsWith(name)), `${name} is named among:\n${problems.join('\n')}`);
  }
});

test('a number with a sign, a unit, a fraction or full-width digits is refused', () => {
  for (const value of ['+600', '600s', '600.0', '６００', '6e2', '0x258']) {
    assert.equal(problemsOf({ SESSION_IDLE_SECONDS: value }).length, 1, value);
  }
});

test('R7.1: an absolute session limit shorter than the idle limit is refused', () => {
  const problems = problemsOf({ SESSION_IDLE_SECONDS: '1800', SESSION_ABSOLUTE_SECONDS: '900' });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /SESSION_ABSOLUTE_SECONDS/);
});

test('production needs DATABASE_URL, ENCRYPTION_KEYS and the TLS files, all reported at once', () => {
  const problems = problemsOf({ NODE_ENV: 'production' });
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.ok(problems.some((p) => p.includes('DATABASE_URL')));
  assert.ok(problems.some((p) => p.includes('ENCRYPTION_KEYS')));
  assert.ok(problems.some((p) => p.includes('TLS_CERT_FILE')));
  for (const missing of Object.keys(production).filter((name) => name !== 'NODE_ENV')) {
    const { [missing]: _, ...partial } = production;
    assert.equal(problemsOf(partial).length, 1, `without ${missing}`);
  }
});

test('production refuses SEED_DEMO and does not seed by default', () => {
  const config = parseConfig(production);
  assert.equal(config.production, true);
  assert.equal(config.seedDemo, false);
  const problems = problemsOf({ ...production, SEED_DEMO: 'true' });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /SEED_DEMO/);
});

// Start-up fails fast on a bad setting only if the setting is checked here: an unknown log level
// otherwise surfaces later as a stack trace from the logger when the app is built.
test('an unknown LOG_LEVEL is reported as a configuration problem', () => {
  assert.equal(parseConfig({ LOG_LEVEL: 'warn' }).logLevel, 'warn');
  assert.equal(parseConfig({ LOG_LEVEL: 'silent' }).logLevel, 'silent');
  const problems = problemsOf({ LOG_LEVEL: 'verbose' });
  assert.ok(problems.some((p) => p.startsWith('LOG_LEVEL')));
});

// A mistyped key in production otherwise passes here and fails in the keyring after the start
// began, outside the list of problems the operator is shown.
test('a malformed ENCRYPTION_KEYS is reported as a configuration problem', () => {
  const problems = problemsOf({ ...production, ENCRYPTION_KEYS: '1:short' });
  assert.ok(problems.some((p) => p.startsWith('ENCRYPTION_KEYS')));
});

test('the operator console: its own host, port, allow-list of addresses and CIDR ranges, certificate and session ends', () => {
  const config = parseConfig({
    OPERATOR_HOST: '10.0.0.5',
    OPERATOR_PORT: '9500',
    OPERATOR_ALLOWED_IPS: ' 10.1.2.3, 192.168.0.0/16 ,::1,2001:db8::/32,',
    OPERATOR_TLS_CERT_FILE: '/etc/ib/op.crt',
    OPERATOR_TLS_KEY_FILE: '/etc/ib/op.key',
    OPERATOR_SESSION_IDLE_SECONDS: '300',
    OPERATOR_SESSION_ABSOLUTE_SECONDS: '3600',
  });
  assert.equal(config.operatorHost, '10.0.0.5');
  assert.equal(config.operatorPort, 9500);
  assert.deepEqual(config.operatorAllowedIps, ['10.1.2.3', '192.168.0.0/16', '::1', '2001:db8::/32']);
  assert.equal(config.operatorTlsCertFile, '/etc/ib/op.crt');
  assert.equal(config.operatorTlsKeyFile, '/etc/ib/op.key');
  assert.equal(config.operatorSessionIdleSeconds, 300);
  assert.equal(config.operatorSessionAbsoluteSeconds, 3600);
  assert.equal(parseConfig({ OPERATOR_ALLOWED_IPS: ' , ' }).operatorAllowedIps, undefined, 'a blank list is no list');
});

test('a malformed allow-list entry, a lone console certificate file and a shared port are each reported', () => {
  for (const entry of ['10.1.2', 'localhost', '10.0.0.0/33', '::1/129', '10.0.0.1/8/8', '１０.0.0.1', '*']) {
    const problems = problemsOf({ OPERATOR_ALLOWED_IPS: `127.0.0.1,${entry}` });
    assert.equal(problems.length, 1, entry);
    assert.match(problems[0]!, /^OPERATOR_ALLOWED_IPS: /);
  }
  assert.match(problemsOf({ OPERATOR_TLS_CERT_FILE: '/etc/ib/op.crt' })[0]!, /OPERATOR_TLS_CERT_FILE and OPERATOR_TLS_KEY_FILE/);
  assert.match(problemsOf({ OPERATOR_TLS_KEY_FILE: '/etc/ib/op.key' })[0]!, /OPERATOR_TLS_CERT_FILE and OPERATOR_TLS_KEY_FILE/);
  assert.match(problemsOf({ PORT: '9443' })[0]!, /^OPERATOR_PORT must differ/, 'the portal on the console\'s default port');
  assert.match(problemsOf({ OPERATOR_PORT: '8443' })[0]!, /^OPERATOR_PORT must differ/);
  assert.match(problemsOf({ OPERATOR_PORT: '8080', HTTP_REDIRECT_PORT: '8080' })[0]!, /^OPERATOR_PORT must differ/);
  assert.match(problemsOf({ OPERATOR_SESSION_IDLE_SECONDS: '1800', OPERATOR_SESSION_ABSOLUTE_SECONDS: '900' })[0]!, /^OPERATOR_SESSION_ABSOLUTE_SECONDS/);
  assert.match(problemsOf({ OPERATOR_PORT: '0' })[0]!, /^OPERATOR_PORT must be a whole number/);
});

test('the certificate listener, the client certificate source and the CA files have safe defaults', () => {
  const config = parseConfig({});
  assert.equal(config.certPort, 8444);
  assert.equal(config.certPublicUrl, 'https://localhost:8444');
  assert.equal(config.clientCertSource, 'tls');
  assert.equal(config.trustedProxies, undefined, 'no proxy is believed unless one is named');
  assert.equal(config.clientCertHeader, 'x-ssl-client-cert');
  assert.equal(config.caCertFile, undefined);
  assert.equal(config.caKeyFile, undefined);
  assert.equal(parseConfig({ PUBLIC_URL: 'https://ib.bank.example', CERT_PORT: '9444' }).certPublicUrl, 'https://ib.bank.example:9444');
});

test('proxy mode with its proxies, header and CA files is read as given', () => {
  const config = parseConfig({
    CERT_PORT: '9000',
    CERT_PUBLIC_URL: 'https://cert.ib.bank.example/',
    CLIENT_CERT_SOURCE: 'proxy',
    TRUSTED_PROXIES: '10.0.0.7, 2001:db8::/64',
    CLIENT_CERT_HEADER: 'X-Client-Cert',
    CA_CERT_FILE: '/etc/ib/ca.crt',
    CA_KEY_FILE: '/etc/ib/ca.key',
  });
  assert.equal(config.certPort, 9000);
  assert.equal(config.certPublicUrl, 'https://cert.ib.bank.example');
  assert.equal(config.clientCertSource, 'proxy');
  assert.deepEqual(config.trustedProxies, ['10.0.0.7', '2001:db8::/64']);
  assert.equal(config.clientCertHeader, 'x-client-cert', 'header names are compared in lower case');
  assert.equal(config.caCertFile, '/etc/ib/ca.crt');
  assert.equal(config.caKeyFile, '/etc/ib/ca.key');
});

test('a shared certificate port, an unknown source, proxy mode without proxies and a lone CA file are each reported', () => {
  const shared: Record<string, string>[] = [{ CERT_PORT: '8443' }, { CERT_PORT: '9443' }, { CERT_PORT: '8080', HTTP_REDIRECT_PORT: '8080' }];
  for (const env of shared) {
    const problems = problemsOf(env);
    assert.equal(problems.length, 1, JSON.stringify(env));
    assert.match(problems[0]!, /^CERT_PORT must differ/);
  }
  assert.match(problemsOf({ CERT_PORT: '70000' })[0]!, /^CERT_PORT must be a whole number/);
  assert.match(problemsOf({ CLIENT_CERT_SOURCE: 'header' })[0]!, /^CLIENT_CERT_SOURCE/);
  assert.match(problemsOf({ CLIENT_CERT_SOURCE: 'proxy' })[0]!, /^TRUSTED_PROXIES is required/);
  assert.match(problemsOf({ TRUSTED_PROXIES: '10.0.0.300' })[0]!, /^TRUSTED_PROXIES: /);
  assert.match(problemsOf({ CLIENT_CERT_HEADER: 'x ssl' })[0]!, /^CLIENT_CERT_HEADER/);
  assert.match(problemsOf({ CERT_PUBLIC_URL: 'http://cert.example' })[0]!, /^CERT_PUBLIC_URL/);
  assert.match(problemsOf({ CA_CERT_FILE: '/etc/ib/ca.crt' })[0]!, /CA_CERT_FILE and CA_KEY_FILE/);
  assert.match(problemsOf({ CA_KEY_FILE: '/etc/ib/ca.key' })[0]!, /CA_CERT_FILE and CA_KEY_FILE/);
});

test('R8.6: DUPLICATE_WINDOW_DAYS is 1 by default, 0 to 30 (0 turns the duplicate-transfer check off)', () => {
  assert.equal(parseConfig({}).duplicateWindowDays, 1);
  assert.equal(parseConfig({ DUPLICATE_WINDOW_DAYS: '0' }).duplicateWindowDays, 0);
  assert.equal(parseConfig({ DUPLICATE_WINDOW_DAYS: '7' }).duplicateWindowDays, 7);
  for (const value of ['31', '-1', '1.5']) assert.equal(problemsOf({ DUPLICATE_WINDOW_DAYS: value }).length, 1, value);
});
