import { isIP } from 'node:net';
import { parseKeyringSpec } from './platform/keyring.ts';
import { defaultFeeTable, parseFeeTable, type FeeTable } from './domain/fees.ts';
import { isBankCode } from './domain/account-designation.ts';
import { requestQueueWaitMs, requestsInFlightMax, requestsQueuedMax } from './platform/admission.ts';
import { databaseConnectionWaitMs } from './db/connection-wait.ts';

/**
 * The environment, parsed and validated once at start. Every problem is reported together, and a
 * production start without its secrets fails here rather than at the first request.
 */
export interface Config {
  production: boolean;
  host: string;
  port: number;
  /** Optional plain-HTTP listener that only redirects to HTTPS (R4.7). */
  httpRedirectPort: number | undefined;
  /** Where the portal is reached, for links in emails and the start banner. */
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /**
   * Decision 0034: the longest a request waits for a PostgreSQL connection (a new one, or one of the
   * pool's to be free) before it is answered SERVICE_DATABASE_UNAVAILABLE (503, Retry-After).
   */
  databaseConnectionWaitMs: number;
  encryptionKeys: string | undefined;
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  bankName: string;
  bankContact: string;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  /** R5.2: how long an emailed one-time password is valid. */
  emailOtpTtlSeconds: number;
  /** At most this many one-time passwords to one person in an hour, whatever for: no mailbox is flooded. */
  emailOtpSendsPerHourMax: number;
  passwordMaxAgeDays: number;
  /** R6.2: the fee for a token beyond the free ones, and for a reissue (lost, broken). */
  tokenFeeYen: bigint;
  /** R6.4: days from the contract's application for tokens until operations that need one are refused without it. */
  tokenGraceDays: number;
  logonRatePerMinute: number;
  /**
   * Decision 0022: how long a secret waits while every lockout attempt of its holder is being
   * evaluated by other requests, before it is answered "busy, try again".
   */
  attemptsBusyWaitMs: number;
  /**
   * Decision 0027: requests of the process being worked on at once (the portal and the certificate
   * logon together), requests waiting for a place, and the longest wait; beyond them a request is
   * answered SERVICE_OVERLOADED (503, Retry-After) at once.
   */
  requestsInFlightMax: number;
  requestsQueuedMax: number;
  requestQueueWaitMs: number;
  seedDemo: boolean;
  logLevel: string;
  /** The bank's operator console: a listener of its own, never the customers' (DESIGN §1). */
  operatorHost: string;
  operatorPort: number;
  /** Client addresses (or CIDR ranges) allowed to reach the console; undefined: any. */
  operatorAllowedIps: string[] | undefined;
  /** The console's own certificate; without it the portal's is used. */
  operatorTlsCertFile: string | undefined;
  operatorTlsKeyFile: string | undefined;
  operatorSessionIdleSeconds: number;
  operatorSessionAbsoluteSeconds: number;
  /** The bank's own 4-digit Zengin bank code: a transfer to it stays inside the ledger (R8.2). */
  bankCode: string;
  /** The bank's name in Zengin half-width kana, as payees and statements show it. */
  bankNameKana: string;
  /** R8.2: the transfer fee table. */
  transferFees: FeeTable;
  /** R8.4: a 総合振込 file for today is sent before this time of day (Asia/Tokyo), 'HH:MM'. */
  bulkCutoffTime: string;
  /** R8.4: a 給与・賞与 file is sent at least this many business days before its payment date. */
  salaryCutoffBusinessDays: number;
  /** R8.6: a new transfer like one of the last this many days (account, payee account, amount, date) is held until confirmed as separate. */
  duplicateWindowDays: number;
  /** R8.4: the largest bulk file accepted, in bytes. */
  bulkFileBytesMax: number;
  /** R4.1: the listener that asks for a client certificate in the TLS handshake. */
  certPort: number;
  /** Where the certificate listener is reached, for the links on the logon page. */
  certPublicUrl: string;
  /** 'tls': the certificate comes from the TLS handshake; 'proxy': from a header set by a TLS-terminating proxy. */
  clientCertSource: 'tls' | 'proxy';
  /** The proxy addresses (or CIDR ranges) whose certificate header is believed; undefined: none. */
  trustedProxies: string[] | undefined;
  /** The request header in which the proxy passes the URL-encoded PEM (nginx $ssl_client_escaped_cert). */
  clientCertHeader: string;
  /** R4.1: the bank's CA certificate and key; unset: the embedded CA is created on first start. */
  caCertFile: string | undefined;
  caKeyFile: string | undefined;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('configuration invalid:\n  ' + problems.join('\n  '));
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseConfig(env: Env): Config {
  const problems: string[] = [];
  function text(name: string): string | undefined;
  function text(name: string, fallback: string): string;
  function text(name: string, fallback?: string): string | undefined {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? fallback : value;
  }
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };
  const clockTime = (name: string, fallback: string): string => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    if (!/^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(raw)) {
      problems.push(`${name} must be a time of day HH:MM (got "${raw}")`);
      return fallback;
    }
    return raw;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    if (!['true', 'false', '1', '0'].includes(raw)) problems.push(`${name} must be true or false (got "${raw}")`);
    return raw === 'true' || raw === '1';
  };

  const production = text('NODE_ENV') === 'production';
  const port = integer('PORT', 8443, 1, 65535);
  const host = text('HOST', '127.0.0.1');
  const databaseUrl = text('DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL must start with postgres://');
  const certPort = integer('CERT_PORT', 8444, 1, 65535);
  const smtpUrl = text('SMTP_URL');
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) problems.push('SMTP_URL must start with smtp:// or smtps://');

  const config: Config = {
    production,
    host,
    port,
    httpRedirectPort: text('HTTP_REDIRECT_PORT') ? integer('HTTP_REDIRECT_PORT', 0, 1, 65535) : undefined,
    publicUrl: text('PUBLIC_URL', `https://localhost:${port}`)!.replace(/\/+$/, ''),
    dataDir: text('DATA_DIR', './data'),
    databaseUrl,
    // Below 100 ms a connect over TLS to a database on another host may not complete even when all is well.
    databaseConnectionWaitMs: integer('DATABASE_CONNECTION_WAIT_MS', databaseConnectionWaitMs, 100, 60_000),
    encryptionKeys: text('ENCRYPTION_KEYS'),
    tlsCertFile: text('TLS_CERT_FILE'),
    tlsKeyFile: text('TLS_KEY_FILE'),
    smtpUrl,
    mailFrom: text('MAIL_FROM', 'ib-noreply@demo-bank.example'),
    bankName: text('BANK_NAME', 'デモ銀行'),
    bankContact: text('BANK_CONTACT', '法人インターネットバンキング ヘルプデスク 0120-000-000'),
    sessionIdleSeconds: integer('SESSION_IDLE_SECONDS', 600, 5, 3600),
    sessionAbsoluteSeconds: integer('SESSION_ABSOLUTE_SECONDS', 4 * 3600, 5, 24 * 3600),
    emailOtpTtlSeconds: integer('EMAIL_OTP_TTL_SECONDS', 600, 60, 1800),
    emailOtpSendsPerHourMax: integer('EMAIL_OTP_SENDS_PER_HOUR', 100, 1, 1_000_000),
    passwordMaxAgeDays: integer('PASSWORD_MAX_AGE_DAYS', 90, 1, 3650),
    tokenFeeYen: BigInt(integer('TOKEN_FEE_YEN', 1080, 0, 1_000_000)),
    tokenGraceDays: integer('TOKEN_GRACE_DAYS', 30, 0, 365),
    bulkCutoffTime: clockTime('BULK_CUTOFF_TIME', '15:00'),
    salaryCutoffBusinessDays: integer('SALARY_CUTOFF_BUSINESS_DAYS', 2, 0, 10),
    duplicateWindowDays: integer('DUPLICATE_WINDOW_DAYS', 1, 0, 30),
    bulkFileBytesMax: integer('BULK_FILE_BYTES_MAX', 4 * 1024 * 1024, 64 * 1024, 64 * 1024 * 1024),
    logonRatePerMinute: integer('LOGON_RATE_PER_MINUTE', 30, 1, 100_000),
    attemptsBusyWaitMs: integer('ATTEMPTS_BUSY_WAIT_MS', 5000, 0, 30_000),
    requestsInFlightMax: integer('REQUESTS_IN_FLIGHT_MAX', requestsInFlightMax, 1, 100_000),
    requestsQueuedMax: integer('REQUESTS_QUEUED_MAX', requestsQueuedMax, 0, 100_000),
    requestQueueWaitMs: integer('REQUEST_QUEUE_WAIT_MS', requestQueueWaitMs, 1, 60_000),
    seedDemo: flag('SEED_DEMO', !databaseUrl && !production),
    logLevel: text('LOG_LEVEL', 'info'),
    operatorHost: text('OPERATOR_HOST', '127.0.0.1'),
    operatorPort: integer('OPERATOR_PORT', 9443, 1, 65535),
    operatorAllowedIps: addressList('OPERATOR_ALLOWED_IPS', text('OPERATOR_ALLOWED_IPS'), problems),
    operatorTlsCertFile: text('OPERATOR_TLS_CERT_FILE'),
    operatorTlsKeyFile: text('OPERATOR_TLS_KEY_FILE'),
    operatorSessionIdleSeconds: integer('OPERATOR_SESSION_IDLE_SECONDS', 600, 5, 3600),
    operatorSessionAbsoluteSeconds: integer('OPERATOR_SESSION_ABSOLUTE_SECONDS', 8 * 3600, 5, 24 * 3600),
    bankCode: text('BANK_CODE', '0999'),
    bankNameKana: text('BANK_NAME_KANA', 'ﾃﾞﾓｷﾞﾝｺｳ'),
    transferFees: defaultFeeTable,
    certPort,
    certPublicUrl: '',
    clientCertSource: 'tls',
    trustedProxies: addressList('TRUSTED_PROXIES', text('TRUSTED_PROXIES'), problems),
    clientCertHeader: text('CLIENT_CERT_HEADER', 'x-ssl-client-cert').toLowerCase(),
    caCertFile: text('CA_CERT_FILE'),
    caKeyFile: text('CA_KEY_FILE'),
  };
  config.certPublicUrl = certificateListenerUrl(text('CERT_PUBLIC_URL'), config.publicUrl, certPort, problems);
  const certSource = text('CLIENT_CERT_SOURCE', 'tls');
  if (certSource === 'tls' || certSource === 'proxy') config.clientCertSource = certSource;
  else problems.push(`CLIENT_CERT_SOURCE must be tls or proxy (got "${certSource}")`);
  // A proxy header believed from nobody would make every certificate logon fail without a hint why.
  if (config.clientCertSource === 'proxy' && config.trustedProxies === undefined) {
    problems.push('TRUSTED_PROXIES is required when CLIENT_CERT_SOURCE is proxy');
  }
  if (!/^[a-z0-9-]+$/.test(config.clientCertHeader)) {
    problems.push(`CLIENT_CERT_HEADER must be a header name of letters, digits and hyphens (got "${config.clientCertHeader}")`);
  }
  if (Boolean(config.caCertFile) !== Boolean(config.caKeyFile)) {
    problems.push('CA_CERT_FILE and CA_KEY_FILE are given together or not at all');
  }
  if (!isBankCode(config.bankCode)) problems.push(`BANK_CODE must be 4 digits (got "${config.bankCode}")`);
  const feeSpec = text('TRANSFER_FEES');
  if (feeSpec !== undefined) {
    try {
      config.transferFees = parseFeeTable(feeSpec);
    } catch (error) {
      problems.push(`TRANSFER_FEES: ${(error as Error).message}`);
    }
  }
  if (!logLevels.includes(config.logLevel)) problems.push(`LOG_LEVEL must be one of ${logLevels.join(', ')} (got "${config.logLevel}")`);
  if (config.encryptionKeys) {
    try {
      parseKeyringSpec(config.encryptionKeys);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (config.sessionAbsoluteSeconds < config.sessionIdleSeconds) {
    problems.push('SESSION_ABSOLUTE_SECONDS must not be shorter than SESSION_IDLE_SECONDS');
  }
  if (config.operatorSessionAbsoluteSeconds < config.operatorSessionIdleSeconds) {
    problems.push('OPERATOR_SESSION_ABSOLUTE_SECONDS must not be shorter than OPERATOR_SESSION_IDLE_SECONDS');
  }
  if (Boolean(config.operatorTlsCertFile) !== Boolean(config.operatorTlsKeyFile)) {
    problems.push('OPERATOR_TLS_CERT_FILE and OPERATOR_TLS_KEY_FILE are given together or not at all');
  }
  // Two listeners cannot share a port; the console must never answer on the customers' one.
  if (config.operatorPort === config.port || config.operatorPort === config.httpRedirectPort) {
    problems.push(`OPERATOR_PORT must differ from PORT and HTTP_REDIRECT_PORT (got ${config.operatorPort})`);
  }
  // The certificate listener asks every client for a certificate: it must never be the ordinary one.
  if ([config.port, config.operatorPort, config.httpRedirectPort].includes(config.certPort)) {
    problems.push(`CERT_PORT must differ from PORT, OPERATOR_PORT and HTTP_REDIRECT_PORT (got ${config.certPort})`);
  }
  if (production) {
    // The embedded defaults (generated keys and a self-signed certificate) are for a single demo machine.
    if (!databaseUrl) problems.push('DATABASE_URL is required in production');
    if (!config.encryptionKeys) problems.push('ENCRYPTION_KEYS is required in production');
    if (!config.tlsCertFile || !config.tlsKeyFile) problems.push('TLS_CERT_FILE and TLS_KEY_FILE are required in production');
    if (config.seedDemo) problems.push('SEED_DEMO cannot be used in production');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * `CERT_PUBLIC_URL`, or the public URL with the certificate port in place of its own (a dedicated
 * host name behind a proxy is configured explicitly).
 */
function certificateListenerUrl(raw: string | undefined, publicUrl: string, certPort: number, problems: string[]): string {
  if (raw !== undefined) {
    if (!/^https:\/\/[^/\s]+/.test(raw)) problems.push(`CERT_PUBLIC_URL must start with https:// (got "${raw}")`);
    return raw.replace(/\/+$/, '');
  }
  try {
    const url = new URL(publicUrl);
    url.port = String(certPort);
    return url.origin;
  } catch {
    return `https://localhost:${certPort}`;
  }
}

/**
 * `OPERATOR_ALLOWED_IPS`, `TRUSTED_PROXIES`: a comma list of IPv4/IPv6 addresses or CIDR ranges (`10.1.2.0/24`).
 * Unset or blank: no allow-list.
 */
function addressList(name: string, raw: string | undefined, problems: string[]): string[] | undefined {
  if (raw === undefined) return undefined;
  const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (family === 0 || !prefixOk || extra !== undefined) problems.push(`${name}: "${entry}" is not an IP address or CIDR range`);
  }
  return entries.length > 0 ? entries : undefined;
}
