import type { SessionStage } from '../db/schema.ts';
import type { LiveSession } from './sessions.ts';
import { pendingSetupStep } from './setup-steps.ts';

/**
 * Where a session stands, judged at every request from its stored stage and its person as the
 * statement that resumed it read them: an active session whose person has a setup step left stands
 * at `setup` (R1.3: nothing else until it is done — whatever made the session active); then
 * `otp_address` for a person who must register an OTP address first (R5.1), who reaches its pages
 * and nothing else; then `token` for one offered the token activation (R6.3, R6.4), which they may
 * skip for the session. Pages, the menu and the downloads all ask this one function.
 */
export type PageStage = SessionStage | 'otp_address' | 'token';

export function pageStageOf(live: LiveSession): PageStage {
  if (live.session.stage !== 'active') return live.session.stage;
  if (pendingSetupStep(live.user) !== 'done') return 'setup';
  if (live.needsOtpAddress) return 'otp_address';
  return live.needsTokenActivation ? 'token' : 'active';
}
