import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

/**
 * Counts the statements sent through a database it is plugged into (`db.withPlugin(counter)`).
 * BEGIN and COMMIT are not statements Kysely sees; a query built into another (a subquery or a
 * CTE) is transformed, not sent, so it is not counted twice.
 */
export class StatementCounter implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  // Once per statement sent: its result comes back once.
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.count++;
    return Promise.resolve(args.result);
  }
}
