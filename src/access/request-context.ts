/**
 * Where a request came from, for the audit trail (R9.1) and the stop notice (R2.3). Customers and
 * staff alike: the audit record of either carries the same two facts.
 */
export interface RequestContext {
  ip: string;
  userAgent?: string;
}
