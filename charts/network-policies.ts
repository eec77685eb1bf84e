import { Construct } from 'constructs';
import { ComponentNetworkPolicy, DefaultDenyPolicy, NetworkPort, Peer, PolicyRule } from '../src/constructs/network-policy';
import { DNS_PORT } from '../src/topology/model';
import { StackChart } from './component-chart';
import { StackContext } from './context';
import { addTo } from '../src/multimap';

/** Cluster DNS: kube-dns pods in kube-system, UDP and TCP 53. */
const DNS_RULE: PolicyRule = {
  peers: [Peer.podsInNamespace('kube-system', { 'k8s-app': 'kube-dns' })],
  ports: [NetworkPort.udp(DNS_PORT), NetworkPort.tcp(DNS_PORT)],
  purpose: 'cluster DNS',
};

/**
 * Network isolation derived from the effective topology: a namespace-wide default deny, then
 * one policy per in-cluster component, named after it, holding exactly the connections the
 * topology declares for it (who may reach it, and what it may reach).
 */
export class NetworkPoliciesChart extends StackChart {
  constructor(scope: Construct, ctx: StackContext) {
    super(scope, 'network-policies', ctx);
    const t = ctx.effective;
    const edge = ctx.env.edge;
    new DefaultDenyPolicy(this, 'DefaultDeny', ctx.platformLabels());

    const ingress = new Map<string, PolicyRule[]>();
    const egress = new Map<string, PolicyRule[]>();
    for (const e of t.edges) {
      if (e.to.kind === 'component') {
        addTo(ingress, e.to.id, { peers: [Peer.pods(ctx.selector(e.from))], ports: [NetworkPort.tcp(e.to.port)], purpose: `from ${e.from}: ${e.purpose}` });
        addTo(egress, e.from, { peers: [Peer.pods(ctx.selector(e.to.id))], ports: [NetworkPort.tcp(e.to.port)], purpose: `to ${e.to.id}: ${e.purpose}` });
      } else if (e.to.kind === 'pods') {
        addTo(egress, e.from, { peers: [Peer.podsInNamespace(e.to.namespace, e.to.labels)], ports: [NetworkPort.tcp(e.to.port)], purpose: `to ${e.to.name} in ${e.to.namespace}` });
      } else {
        addTo(egress, e.from, { peers: [Peer.cidr(e.to.cidr)], ports: [NetworkPort.tcp(e.to.port)], purpose: `to ${e.to.name} ${e.to.cidr}` });
      }
    }
    for (const i of t.inbound) {
      addTo(ingress, i.to, { peers: [Peer.podsInNamespace(i.from.namespace, i.from.labels)], ports: [NetworkPort.tcp(i.port)], purpose: `from ${i.from.name} in ${i.from.namespace}` });
    }
    for (const c of t.components) {
      if (!c.inCluster) continue;
      const rules = [...(ingress.get(c.id) ?? [])];
      if (c.spec.exposure === 'public') {
        rules.unshift({
          peers: [Peer.podsInNamespace(edge.controller.namespace, edge.controller.podLabels)],
          ports: [NetworkPort.tcp(c.servingPort)],
          purpose: `from the ${edge.profile} edge`,
        });
      }
      const out = [DNS_RULE, ...(egress.get(c.id) ?? [])];
      new ComponentNetworkPolicy(this, c.id, {
        name: c.id,
        labels: ctx.labels(c.id),
        podSelector: ctx.selector(c.id),
        ingress: rules,
        egress: out,
      });
    }
    // Scheduled tasks accept nothing and reach only what their edges declare.
    for (const task of t.tasks) {
      new ComponentNetworkPolicy(this, task.id, {
        name: task.id,
        labels: ctx.labels(task.id),
        podSelector: ctx.selector(task.id),
        ingress: [],
        egress: [DNS_RULE, ...(egress.get(task.id) ?? [])],
      });
    }
  }
}
