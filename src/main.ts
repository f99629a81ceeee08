import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { ConfigError, parseConfig } from './config.ts';
import { openRuntime } from './runtime.ts';
import { buildApp, processAdmissionGate } from './app.ts';
import { embeddedTlsCertificate } from './platform/embedded-secrets.ts';
import { seedDemo } from './operator/demo-seed.ts';
import { seedDemoStaff } from './operator/demo-staff.ts';
import { demoBannerLines } from './operator/demo-banner.ts';
import { buildConsole } from './operator/console/server.ts';
import { consolePaths } from './operator/console/paths.ts';
import { startDeliveryLoop } from './outbox/delivery.ts';
import { ensureAuthority } from './modules/certificates/authority.ts';
import { startCertificateReminders } from './modules/certificates/reminders.ts';
import { startEmailOtpExpiries } from './access/email-otp/expiry.ts';
import { startRefusalTotals } from './access/logon-refusals.ts';
import { startTransferScheduler } from './modules/ledger/scheduler.ts';
import { startBulkScheduler } from './modules/bulk/scheduler.ts';
import { emlFileTransport, smtpTransport } from './outbox/transport.ts';
import { drainable, stopWaitMs } from './platform/connection-drain.ts';
import { DataDirError } from './platform/data-dir.ts';
import { redirectListener } from './web/redirect-listener.ts';

/** Read config, open the database, migrate, build the app, listen, stop on signals. Nothing else. */
const outboxIntervalMs = 2000;
const certificateReminderIntervalMs = 3_600_000;
/** R9.1: how often expired one-time passwords are looked for, to be recorded in the audit trail. */
const emailOtpExpiryIntervalMs = 60_000;
const transferSchedulerIntervalMs = 30_000;
/** R2.4, R9.1: how often the counts of rate-limited logons of minutes that are over are recorded in the audit trail. */
const logonRefusalTotalsIntervalMs = 60_000;

/** A start refused for a reason the person starting it can put right: one line (what, where, what to do), exit 2. */
function refuseStart(error: unknown): never {
  if (!(error instanceof ConfigError || error instanceof DataDirError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}

let config;
try {
  config = parseConfig(process.env);
} catch (error) {
  refuseStart(error);
}

const runtime = await openRuntime(config, 'the service (npm start)').catch(refuseStart);
const { deps } = runtime;
const demo = config.seedDemo ? await seedDemo(deps) : undefined;
const demoStaff = config.seedDemo ? await seedDemoStaff(deps) : undefined;

const tls = config.tlsCertFile && config.tlsKeyFile
  ? { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) }
  : await embeddedTlsCertificate(config.dataDir, ['localhost', '127.0.0.1', '::1'], deps.clock.now()).catch(async (error: unknown) => {
      await runtime.close();
      return refuseStart(error);
    });
// Set on SIGTERM: every listener's /readyz then answers 503 "stopping", so a load balancer drains the process.
const lifecycle = { stopping: false };
// Decision 0027: one bound on the requests the process works on, whichever customer listener they came to.
const admission = processAdmissionGate(deps);
const app = await buildApp(deps, { https: tls, lifecycle, admission });
// R4.1: the certificate listener asks the browser for a certificate of the bank's CA (made at the first start).
const authority = await ensureAuthority(deps);
const certificateApp = await buildApp(deps, { https: tls, clientCertificates: { ca: authority.certificatePem }, lifecycle, admission });
// The bank's console listens on its own address and port, never the customers' (DESIGN §1).
const consoleTls = config.operatorTlsCertFile && config.operatorTlsKeyFile
  ? { cert: readFileSync(config.operatorTlsCertFile), key: readFileSync(config.operatorTlsKeyFile) }
  : tls;
const operatorConsole = await buildConsole(deps, { https: consoleTls, lifecycle });
const listeners = [app, certificateApp, operatorConsole].map((instance) => drainable(instance.server));

const mailDir = resolve(config.dataDir, 'mail');
const transport = config.smtpUrl ? smtpTransport(config.smtpUrl, config.mailFrom, { requireTls: config.production }) : emlFileTransport(mailDir, config.mailFrom);
const delivery = startDeliveryLoop(deps.db, deps.clock, transport, {
  intervalMs: outboxIntervalMs,
  onError: (error) => app.log.error({ err: error }, 'outbox delivery failed'),
});
// R8.2: future-dated transfers are posted on their date; each is claimed by one conditional UPDATE.
const scheduler = startTransferScheduler(deps, {
  intervalMs: transferSchedulerIntervalMs,
  onError: (error) => app.log.error({ err: error }, 'transfer scheduler failed'),
});
// R8.4: sent bulk files are posted on their payment date and settled; each is claimed by one conditional UPDATE.
const bulkScheduler = startBulkScheduler(deps, {
  intervalMs: transferSchedulerIntervalMs,
  onError: (error) => app.log.error({ err: error }, 'bulk file scheduler failed'),
});
// R4.4: each reminder is claimed by one conditional UPDATE, so any number of processes may run this.
const reminders = startCertificateReminders(deps, {
  intervalMs: certificateReminderIntervalMs,
  onError: (error) => app.log.error({ err: error }, 'certificate reminders failed'),
});

// R9.1: each expired one-time password is recorded once, claimed by one conditional UPDATE.
const otpExpiries = startEmailOtpExpiries(deps, {
  intervalMs: emailOtpExpiryIntervalMs,
  onError: (error) => app.log.error({ err: error }, 'recording one-time password expiries failed'),
});

// R2.4, R9.1: each address-minute's count of refused logons is claimed by one conditional UPDATE.
const refusalTotals = startRefusalTotals(deps, {
  intervalMs: logonRefusalTotalsIntervalMs,
  onError: (error) => app.log.error({ err: error }, 'recording rate-limited logons failed'),
});

await app.listen({ host: config.host, port: config.port });
await certificateApp.listen({ host: config.host, port: config.certPort });
await operatorConsole.listen({ host: config.operatorHost, port: config.operatorPort });
const consoleHost = ['127.0.0.1', '::1', '0.0.0.0', '::'].includes(config.operatorHost) ? 'localhost' : config.operatorHost;
const consoleUrl = `https://${consoleHost.includes(':') ? `[${consoleHost}]` : consoleHost}:${config.operatorPort}${consolePaths.logon}`;

// R4.7: plain HTTP is only ever a redirect to HTTPS, on its own port when configured.
const redirect = config.httpRedirectPort ? redirectListener(config.publicUrl, config.bankName) : undefined;
if (redirect) {
  listeners.push(drainable(redirect));
  redirect.listen(config.httpRedirectPort, config.host);
}

const lines = [
  '',
  `  ${config.bankName} corporate internet banking is running.`,
  `  Portal:            ${config.publicUrl}/logon   (self-signed certificate unless TLS_CERT_FILE is set)`,
  `  Certificate logon: ${config.certPublicUrl}/logon   (asks the browser for a client certificate${config.clientCertSource === 'proxy' ? '; taken from the proxy\'s header' : ''})`,
  `  Operator console:  ${consoleUrl}   (bank staff only${config.operatorAllowedIps ? `; from ${config.operatorAllowedIps.join(', ')}` : ''})`,
  `  Operator CLI:      npm run operator -- --help   (stop the service first when on the embedded database)`,
  `  Emails:            ${config.smtpUrl ? 'sent over SMTP' : `written as .eml files to ${mailDir}`}`,
];
// Demo secrets are printed only while they still work (demo-banner.ts).
lines.push(...(await demoBannerLines(deps, demo, demoStaff)));
process.stdout.write(lines.join('\n') + '\n\n');

/**
 * The graceful stop (docs/operations.md, "Starting and stopping"): readiness says "stopping"; the
 * listeners stop accepting connections and answer every request already sent, each answer closing
 * its connection (platform/connection-drain.ts); then the background jobs finish their round and
 * stop, and the pool closes. A stop that hangs ends the process with status 1 after stopWaitMs.
 */
async function stop(signal: string): Promise<void> {
  if (lifecycle.stopping) return;
  lifecycle.stopping = true;
  setTimeout(() => {
    app.log.error({ signal, waitedMs: stopWaitMs }, 'the stop did not finish in time');
    process.exit(1);
  }, stopWaitMs).unref();
  app.log.info({ signal }, 'stopping: draining the requests in flight');
  const drained = await Promise.all(listeners.map((listener) => listener.drain()));
  await Promise.all([operatorConsole.close(), certificateApp.close(), app.close()]);
  await Promise.all([delivery.stop(), reminders.stop(), otpExpiries.stop(), refusalTotals.stop(), scheduler.stop(), bulkScheduler.stop()]);
  transport.close?.();
  await runtime.close();
  const sum = (figure: 'inFlight' | 'answered' | 'idleClosed' | 'cut') => drained.reduce((total, one) => total + one[figure], 0);
  app.log.info({ signal, inFlight: sum('inFlight'), answered: sum('answered'), idleClosed: sum('idleClosed'), cut: sum('cut'), drainMs: Math.max(...drained.map((one) => one.ms)) }, 'stopped');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
