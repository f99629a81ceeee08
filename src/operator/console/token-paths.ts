import { consoleBase, consolePaths } from './paths.ts';

/**
 * The console's hardware-token pages (R6.2, R6.7, the help desk), under the console's own base. A
 * token's page is its serial under /tokens/, so the other pages live beside it: no serial can
 * shadow them.
 */
export const tokenPaths = {
  list: `${consoleBase}/tokens`,
  expiring: `${consoleBase}/expiring-tokens`,
  importFile: `${consoleBase}/token-import`,
  token: (serial: string) => `${consoleBase}/tokens/${encodeURIComponent(serial)}`,
  test: (serial: string) => `${consoleBase}/tokens/${encodeURIComponent(serial)}/test`,
  resync: (serial: string) => `${consoleBase}/tokens/${encodeURIComponent(serial)}/resync`,
  contract: (contractId: string) => `${consolePaths.contract(contractId)}/tokens`,
  assign: (contractId: string) => `${consolePaths.contract(contractId)}/tokens/assign`,
} as const;
