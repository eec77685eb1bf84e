import { Construct } from 'constructs';
import { SyncWave, syncWave } from './argocd-annotations';
import { k8s } from './k8s';

/** A peer of a NetworkPolicy rule, named the way the topology speaks. */
export class Peer {
  /** Pods of a component in the policy's own namespace. */
  static pods(labels: Record<string, string>): Peer {
    return new Peer({ podSelector: { matchLabels: labels } });
  }

  /** Pods with `labels` in the namespace called `namespace` (matched by its immutable name label). */
  static podsInNamespace(namespace: string, labels: Record<string, string>): Peer {
    return new Peer({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
      podSelector: { matchLabels: labels },
    });
  }

  /** An address range outside the cluster. */
  static cidr(cidr: string): Peer {
    return new Peer({ ipBlock: { cidr } });
  }

  private constructor(readonly spec: k8s.NetworkPolicyPeer) {}
}

/** A port of a rule: always explicit, never "all ports". */
export class NetworkPort {
  static tcp(port: number): NetworkPort {
    return new NetworkPort('TCP', port);
  }

  static udp(port: number): NetworkPort {
    return new NetworkPort('UDP', port);
  }

  private constructor(
    readonly protocol: 'TCP' | 'UDP',
    readonly port: number,
  ) {}

  get spec(): k8s.NetworkPolicyPort {
    return { protocol: this.protocol, port: k8s.IntOrString.fromNumber(this.port) };
  }
}

export interface PolicyRule {
  readonly peers: readonly Peer[];
  readonly ports: readonly NetworkPort[];
  /** Shown to reviewers as a comment-like annotation. */
  readonly purpose: string;
}

export interface ComponentPolicyProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly podSelector: Record<string, string>;
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
}

/**
 * Everything one component may receive and send, in one object. Both policy types are
 * always declared, so an empty list means "nothing" (never "everything"); every rule names
 * its peers and ports explicitly.
 */
export class ComponentNetworkPolicy extends Construct {
  constructor(scope: Construct, id: string, props: ComponentPolicyProps) {
    super(scope, id);
    const toRules = (rules: readonly PolicyRule[]) =>
      rules.map((r) => {
        if (r.peers.length === 0 || r.ports.length === 0) {
          throw new Error(`NetworkPolicy ${props.name}: rule "${r.purpose}" must name peers and ports (an empty list would allow all)`);
        }
        return { peers: r.peers.map((p) => p.spec), ports: r.ports.map((p) => p.spec) };
      });
    const describe = (rules: readonly PolicyRule[]) => rules.map((r) => r.purpose).join('; ') || 'none';
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: props.labels,
        annotations: {
          ...syncWave(SyncWave.BINDINGS),
          'ctis.io/allows-ingress': describe(props.ingress),
          'ctis.io/allows-egress': describe(props.egress),
        },
      },
      spec: {
        podSelector: { matchLabels: props.podSelector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: toRules(props.ingress).map((r) => ({ from: r.peers, ports: r.ports })),
        egress: toRules(props.egress).map((r) => ({ to: r.peers, ports: r.ports })),
      },
    });
  }
}

/** Denies all ingress and egress for every pod of the namespace not allowed by another policy. */
export class DefaultDenyPolicy extends Construct {
  constructor(scope: Construct, id: string, labels: Record<string, string>) {
    super(scope, id);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: 'default-deny', labels, annotations: syncWave(SyncWave.BINDINGS) },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }
}
