import type { FastifyReply } from 'fastify';

/**
 * The console's cookies have names of their own: browsers send cookies to every port of a host, so
 * the portal's `__Host-sid` reaches the console too (and is ignored there), and the other way round.
 */
export const staffSessionCookie = '__Host-staff-sid';
export const staffCsrfCookie = '__Host-staff-csrf';

const cookieBase = { path: '/', secure: true, httpOnly: true, sameSite: 'strict' } as const;

export function setStaffSessionCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(staffSessionCookie, token, cookieBase);
}

export function clearStaffSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(staffSessionCookie, cookieBase);
}

export function setStaffCsrfCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(staffCsrfCookie, token, cookieBase);
}
