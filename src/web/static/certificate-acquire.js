// 電子証明書の取得・更新 (R4.3): the page's button runs the acquisition in pki-acquire.js and shows
// the result — the file's password, once, and the download link of the PKCS#12 file. The private
// key stays in this page's memory; the file is made here and handed over as a local blob.
import { acquireCertificate } from './pki-acquire.js';

const root = document.getElementById('acquire');
const form = /** @type {HTMLFormElement | null} */ (document.getElementById('acquire-form'));
const start = /** @type {HTMLButtonElement | null} */ (document.getElementById('acquire-start'));

/** @param {string} id */
function element(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`missing #${id}`);
  return found;
}

/** @param {string} name */
function message(name) {
  return root?.getAttribute(`data-msg-${name}`) ?? '';
}

/** @param {string} code @param {string} text */
function showError(code, text) {
  const box = element('acquire-error');
  box.textContent = text;
  box.setAttribute('data-code', code);
  box.hidden = false;
  // A refusal that needs a new logon: the session is gone or was never one for acquisition.
  element('acquire-relogon').hidden = !['SESSION_REQUIRED', 'CERT_ACQUIRE_STAGE', 'CSRF_INVALID', 'KEY_MISMATCH'].includes(code);
}

async function run() {
  if (!root || !form || !start) return;
  const csrf = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="_csrf"]'));
  const replace = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="replace"]'));
  start.disabled = true;
  element('acquire-error').hidden = true;
  element('acquire-working').hidden = false;
  try {
    const result = await acquireCertificate({
      contractId: root.getAttribute('data-contract-id') ?? '',
      userId: root.getAttribute('data-user-id') ?? '',
      friendlyName: root.getAttribute('data-friendly-name') ?? '',
      csrfToken: csrf?.value ?? '',
      replace: replace?.checked === true,
      messages: { failed: message('failed'), mismatch: message('mismatch') },
      send: (body) =>
        fetch(form.action, { method: 'POST', body, credentials: 'same-origin', headers: { accept: 'application/json' } }),
    });
    const link = /** @type {HTMLAnchorElement} */ (element('p12-download'));
    link.href = URL.createObjectURL(new Blob([result.pkcs12], { type: 'application/x-pkcs12' }));
    link.download = result.fileName;
    element('p12-password').textContent = result.password;
    // The server wrote the day as every page shows one; the script does not format dates of its own.
    element('p12-not-after').textContent = result.notAfterShown;
    form.hidden = true;
    // The acquisition logon ended with the issue: there is nothing left to log off from.
    element('acquire-cancel').hidden = true;
    element('acquire-result').hidden = false;
    link.focus();
  } catch (error) {
    const failure = /** @type {{ code?: unknown; message?: unknown }} */ (error);
    const known = typeof failure.code === 'string' && typeof failure.message === 'string' && failure.message !== '';
    showError(known ? String(failure.code) : 'BROWSER', known ? String(failure.message) : message('failed'));
    start.disabled = false;
  } finally {
    element('acquire-working').hidden = true;
  }
}

if (root && form && start) {
  if (!globalThis.crypto?.subtle || typeof fetch !== 'function') {
    showError('UNSUPPORTED', message('unsupported'));
  } else {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void run();
    });
    start.disabled = false;
  }
}
