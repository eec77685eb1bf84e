import { k8s } from './k8s';

/** A port of a component's Service. */
export interface ServicePort {
  readonly name: string;
  readonly port: number;
  /** Container port name the Service forwards to. */
  readonly targetPort: string;
}

/** A ClusterIP Service selecting pods by their component labels, forwarding to named container ports. */
export function clusterIpService(selector: Record<string, string>, ports: readonly ServicePort[]): k8s.ServiceSpec {
  return {
    type: 'ClusterIP',
    selector,
    ports: ports.map((p) => ({
      name: p.name,
      port: p.port,
      targetPort: k8s.IntOrString.fromString(p.targetPort),
      protocol: 'TCP',
    })),
  };
}
