/**
 * Every console path starts with /operator, on the console's own listener only: the customers'
 * portal answers 404 to all of them, so a misrouted request never finds a staff page.
 */
export const consoleBase = '/operator';

export const consolePaths = {
  home: consoleBase,
  logon: `${consoleBase}/logon`,
  totp: `${consoleBase}/logon/totp`,
  /** The last step of a logon with a password IT issued: the member replaces it (page-route.ts). */
  initialPassword: `${consoleBase}/logon/password`,
  logout: `${consoleBase}/logout`,
  password: `${consoleBase}/password`,
  contracts: `${consoleBase}/contracts`,
  queue: `${consoleBase}/queue`,
  logonWatch: `${consoleBase}/logon-watch`,
  mail: `${consoleBase}/mail`,
  mailRequeue: (id: string) => `${consoleBase}/mail/${id}/requeue`,
  contract: (contractId: string) => `${consoleBase}/contracts/${contractId}`,
  recordApplication: (contractId: string) => `${consoleBase}/contracts/${contractId}/applications`,
  auditExport: (contractId: string) => `${consoleBase}/contracts/${contractId}/audit.csv`,
  newContract: `${consoleBase}/applications/new-contract`,
  applications: `${consoleBase}/applications`,
  application: (id: number | string) => `${consoleBase}/applications/${id}`,
  notices: `${consoleBase}/notices`,
  static: `${consoleBase}/static/`,
} as const;
