import { Construct } from 'constructs';
import { dotnetApp, StackChart } from './component-chart';
import { StackContext } from './context';

/** A generic internal ASP.NET Core service (role `service`), for topologies beyond CTIS. */
export class GenericServiceChart extends StackChart {
  constructor(scope: Construct, ctx: StackContext, id: string) {
    super(scope, id, ctx);
    dotnetApp(this, id, { settings: {} });
  }
}
