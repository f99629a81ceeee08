import { chainGenesisHash, contentHash, linkHash, recordHash, type ChainedContent, type LinkScheme } from './chain.ts';

/**
 * Checking a hash chain of audit records (R9.1), one record at a time in chain order, so that a
 * trail of any length is checked with the memory of one record. Shared by the check of the stored
 * trail (./verify.ts) and of an exported period (./export.ts).
 */
export type ChainProblemKind = 'altered' | 'unlinked' | 'removed' | 'reordered' | 'head-mismatch';

export interface ChainProblem {
  chain: string;
  /** Where it shows: the record's number in its chain; for 'removed', the first missing number. */
  seq: bigint | null;
  /** The stored row concerned, when there is one. */
  recordId: bigint | null;
  kind: ChainProblemKind;
  /** What is wrong, in words an auditor reads. */
  detail: string;
}

/**
 * A record as read back: its chained content, its own hash, the row id it is stored under, and how
 * its hash was made (./chain.ts): scheme 1 over everything, scheme 2 a link over its position and
 * its content hash.
 */
export interface StoredRecord extends ChainedContent {
  id: bigint | null;
  hash: string;
  linkScheme: LinkScheme;
  /** Scheme 2's hash of the content; null for scheme 1. */
  contentHash: string | null;
  /** A stored value that the trail never writes (seen while reading), which the hash cannot show. */
  defect?: string;
}

/** A bounded list: a rewritten trail could otherwise produce one problem per record. */
export const problemsListedMax = 1000;

export class ProblemList {
  readonly items: ChainProblem[] = [];
  omitted = 0;
  add(problem: ChainProblem): void {
    if (this.items.length < problemsListedMax) this.items.push(problem);
    else this.omitted++;
  }
  get count(): number {
    return this.items.length + this.omitted;
  }
}

export interface ChainEnd {
  seq: bigint;
  hash: string;
  id: bigint | null;
}

export class ChainWalk {
  readonly chain: string;
  readonly #problems: ProblemList;
  /** The number the next record must have; null until known (an export may start mid-chain). */
  #expectedSeq: bigint | null;
  #prevHash: string | null;
  #prevId: bigint | null = null;
  /** Whether a scheme-2 record came earlier in the walk: after one, the trail writes no scheme-1 record. */
  #sawScheme2 = false;
  last: ChainEnd | null = null;

  /** `genesis`: the walk starts at the chain's first record; `anywhere`: at the first one given. */
  constructor(chain: string, start: 'genesis' | 'anywhere', problems: ProblemList) {
    this.chain = chain;
    this.#problems = problems;
    this.#expectedSeq = start === 'genesis' ? 1n : null;
    this.#prevHash = start === 'genesis' ? chainGenesisHash : null;
  }

  next(record: StoredRecord): void {
    const report = (kind: ChainProblemKind, detail: string, seq: bigint = record.seq) =>
      this.#problems.add({ chain: this.chain, seq, recordId: record.id, kind, detail });

    const alteration = this.#alteration(record);
    if (alteration !== null) report('altered', alteration);
    else if (record.defect) report('altered', record.defect);

    const expected = this.#expectedSeq;
    if (expected !== null && record.seq > expected) {
      const missing = record.seq - 1n === expected ? `record ${expected} is` : `records ${expected} to ${record.seq - 1n} are`;
      report('removed', `${missing} missing: the chain jumps to ${record.seq}`, expected);
    } else if (expected !== null && record.seq < expected) {
      report('reordered', `it comes after record ${expected - 1n}: out of order, or a second record with its number`);
    } else {
      // A chain's first record follows the genesis hash, wherever the walk started.
      const prevHash = record.seq === 1n ? chainGenesisHash : this.#prevHash;
      if (prevHash !== null && record.prevHash !== prevHash) {
        const before = record.seq === 1n ? 'the chain start' : `record ${record.seq - 1n}`;
        report('unlinked', `its prev_hash is not the hash of ${before}: that record was replaced, or this one was moved here`);
      }
    }
    // Rows are numbered in the order they are written, and one chain is written one record at a
    // time (under its lock), so along a chain the row ids increase; content moved between rows
    // (which keep their ids) shows here even when every hash and link is intact.
    if (this.#prevId !== null && record.id !== null && record.id <= this.#prevId && this.last) {
      report('reordered', `row id ${record.id} is not after row id ${this.#prevId} of record ${this.last.seq}: records were moved between rows`);
    }

    this.#expectedSeq = record.seq + 1n;
    this.#prevHash = record.hash;
    this.#prevId = record.id ?? this.#prevId;
    this.#sawScheme2 ||= record.linkScheme === 2;
    this.last = { seq: record.seq, hash: record.hash, id: record.id };
  }

  /**
   * What makes the record's own hashes wrong, by its scheme. Scheme 2: a changed field breaks the
   * content hash; a changed number, prev_hash or content hash breaks the link. A record of scheme 1
   * after one of scheme 2 is not the trail's (it went from 1 to 2 once, at migration 0017), so an
   * old-scheme record cannot be slipped in after the switch.
   */
  #alteration(record: StoredRecord): string | null {
    if (record.linkScheme === 1) {
      if (this.#sawScheme2) return 'it is of link scheme 1 after a record of scheme 2, which the trail never writes: it was written or changed outside the trail';
      if (record.contentHash !== null) return 'it is of link scheme 1 but carries a content hash: it was changed';
      if (recordHash(record) !== record.hash) return 'its content does not match its hash: a field of it was changed';
      return null;
    }
    if (record.linkScheme !== 2) return `its link scheme ${String(record.linkScheme)} is not one the trail writes`;
    if (record.contentHash === null || contentHash(record) !== record.contentHash) return 'its content does not match its hash: a field of it was changed';
    if (linkHash({ chain: record.chain, seq: record.seq, prevHash: record.prevHash, contentHash: record.contentHash }) !== record.hash) {
      return 'its hash is not the link of its number, prev_hash and content hash: one of them was changed';
    }
    return null;
  }
}

/**
 * The chain head (audit_chain_head) names the last record appended; it makes a removed last record
 * show, which no link can (R9.1).
 */
export function checkHead(chain: string, last: ChainEnd | null, head: { seq: bigint; hash: string } | undefined, problems: ProblemList): void {
  const report = (seq: bigint | null, recordId: bigint | null, detail: string) =>
    problems.add({ chain, seq, recordId, kind: 'head-mismatch', detail });
  if (!last) {
    if (head) report(head.seq, null, `the head names record ${head.seq} but the chain has no records: they were removed`);
  } else if (!head) {
    report(last.seq, last.id, `the chain has records up to ${last.seq} but no head: the head row was removed`);
  } else if (head.seq > last.seq) {
    const missing = head.seq === last.seq + 1n ? `record ${head.seq} was` : `records ${last.seq + 1n} to ${head.seq} were`;
    report(last.seq + 1n, null, `the head names record ${head.seq} but the last record is ${last.seq}: ${missing} removed`);
  } else if (head.seq < last.seq) {
    report(last.seq, last.id, `the chain goes on past its head (record ${head.seq}) to record ${last.seq}: records were added outside the trail`);
  } else if (head.hash !== last.hash) {
    report(last.seq, last.id, "the head's hash is not the last record's hash: the last record was replaced");
  }
}
