import pg from 'pg';
import type { CapturedStatement } from './statement-capture.ts';

/** A table a statement reads from start to end, because no index serves it. */
export interface SequentialScan {
  statement: CapturedStatement;
  table: string;
}

/** Statements that read or write rows; the rest (BEGIN, SET, …) have no plan to look at. */
const planned = /^\s*(\(?\s*select|insert|update|delete|with)\b/i;

/**
 * The tables each statement's plan reads whole although sequential scans are priced out
 * (`enable_seqscan = off`): a Seq Scan that remains is one that no index can replace, whatever the
 * size of the table or its statistics. An index read whole (an Index Scan with no Index Cond) is
 * where the planner goes instead, so a statement with either is judged again with plain index
 * scans priced out too, leaving unpriced only bitmap scans, which always have a condition: on the
 * test's near-empty tables the planner may prefer reading a whole index for its order (the primary
 * key's, for an ORDER BY id) to an index that finds the rows, which on a big table it would not.
 * What is still read whole then has no index that finds its rows. Each statement is planned with the values
 * of its run, and not run (EXPLAIN without ANALYZE), in a transaction rolled back.
 */
export async function sequentialScans(databaseUrl: string, statements: readonly CapturedStatement[]): Promise<SequentialScan[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const found: SequentialScan[] = [];
  try {
    for (const statement of statements) {
      if (!planned.test(statement.text)) continue;
      const plan = async (settings: string[]): Promise<PlanNode> => {
        await client.query('BEGIN');
        try {
          for (const setting of settings) await client.query(`SET LOCAL ${setting} = off`);
          return (await client.query(`EXPLAIN (FORMAT JSON) ${statement.text}`, statement.values)).rows[0]['QUERY PLAN'][0].Plan;
        } finally {
          await client.query('ROLLBACK');
        }
      };
      const first = scans(await plan(['enable_seqscan']));
      const judged = first.length > 0 ? scans(await plan(['enable_seqscan', 'enable_indexscan', 'enable_indexonlyscan'])) : [];
      for (const table of new Set(judged.map((scan) => scan.table))) found.push({ statement, table });
    }
  } finally {
    await client.end();
  }
  return found;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

const wholeIndexScans = new Set(['Index Scan', 'Index Only Scan']);

/** The scans of a plan that read a whole table or a whole index. */
function scans(node: PlanNode): { type: string; table: string }[] {
  const type = node['Node Type'];
  const whole = type === 'Seq Scan' || (wholeIndexScans.has(type) && node['Index Cond'] === undefined);
  const own = whole && node['Relation Name'] ? [{ type, table: node['Relation Name'] }] : [];
  return [...own, ...(node.Plans ?? []).flatMap(scans)];
}
