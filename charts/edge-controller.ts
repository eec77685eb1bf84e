import { Construct } from 'constructs';
import { nginxControllerConfigMap } from '../src/config/edge';
import { nginxSslProtocols, tlsReasonAnnotations } from '../src/constructs/edge';
import { k8s } from '../src/constructs/k8s';
import { StackChart } from './component-chart';
import { StackContext } from './context';

/** Where the edge controller's settings are rendered: a folder of `dist/<env>/` that Argo CD does not sync. */
export const EDGE_CONTROLLER_FOLDER = 'edge-controller';

/**
 * The settings the F5 NGINX Ingress Controller itself must carry for the environment's edge, for
 * the platform team that runs the controller (nginx profile only). The TLS protocols are a
 * listener-wide setting in nginx: before nginx 1.29.2 the protocol is negotiated with the default
 * server's settings before the host (SNI) is known, so a per-Ingress `ssl_protocols` alone does not
 * hold. The controller's ConfigMap `ssl-protocols` does, for every host and the default server.
 *
 * Rendered to `dist/<env>/edge-controller/nginx-ingress.yaml`: Argo CD syncs `dist/<env>` without
 * recursing, and the object lives in the controller's namespace, which the project does not own.
 * The validator reads it with the rest of the directory.
 */
export class EdgeControllerChart extends StackChart {
  constructor(scope: Construct, ctx: StackContext) {
    super(scope, `${EDGE_CONTROLLER_FOLDER}/nginx-ingress`, ctx);
    const edge = ctx.env.edge;
    const { namespace, name } = nginxControllerConfigMap(edge);
    new k8s.KubeConfigMap(this, 'Settings', {
      metadata: {
        name,
        namespace,
        annotations: {
          'ctis.io/edge-controller-settings':
            `keys the ${ctx.labelContext.instance} edge needs in the F5 NGINX Ingress Controller's ConfigMap (Helm: controller.config.entries); ` +
            'run the controller with -enable-snippets (Helm: controller.enableSnippets=true). Applied by the platform team, not by Argo CD.',
          ...tlsReasonAnnotations(edge),
        },
      },
      data: { 'ssl-protocols': nginxSslProtocols(edge.tls.minVersion) },
    });
  }
}
