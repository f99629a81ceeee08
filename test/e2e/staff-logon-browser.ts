import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import type { StaffCredentials } from '../../src/operator/staff/accounts.ts';
import { totpPeriodSeconds } from '../../src/operator/staff/totp.ts';
import { currentCode, ownPasswordOf, passwordOf, replacedPassword } from '../operator/console-support.ts';
import { screenshot, submit, where } from './browser-helpers.ts';

/**
 * A member of staff's logon in the browser, on a page of the console's origin: password, then the
 * authenticator code. A member still holding the password IT issued is held at its change and
 * replaces it (with `ownPasswordOf`, their password from then on). The member ends at the contracts.
 */
export async function staffLogonInBrowser(page: Page, deps: Deps & { clock: FakeClock }, member: StaffCredentials, options: { shot?: string } = {}): Promise<void> {
  deps.clock.advanceSeconds(totpPeriodSeconds); // each member's code is accepted once per step
  await page.goto('/operator/logon');
  await page.locator('#f-login').fill(member.login);
  await page.locator('#f-password').fill(passwordOf(member));
  if (options.shot) await screenshot(page, `${options.shot}-logon`);
  await submit(page, '/operator/logon');
  assert.equal(where(page), '/operator/logon/totp');
  await page.locator('#f-code').fill(currentCode(deps, member));
  if (options.shot) await screenshot(page, `${options.shot}-totp`);
  await submit(page, '/operator/logon/totp');
  if (where(page) === '/operator/logon/password') {
    if (options.shot) await screenshot(page, `${options.shot}-password`);
    await page.locator('#f-current').fill(member.initialPassword);
    await page.locator('#f-next').fill(ownPasswordOf(member));
    await page.locator('#f-repeat').fill(ownPasswordOf(member));
    await submit(page, '/operator/logon/password');
    assert.equal(where(page), '/operator/password?done=changed');
    replacedPassword(member);
    await page.goto('/operator/contracts');
  }
  assert.equal(where(page), '/operator/contracts');
}
