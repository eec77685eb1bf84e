/**
 * The one place the Kubernetes L1 classes come from. cdk8s-plus-28 ships the generated bindings
 * for Kubernetes 1.28 (its `k8s` export); they are imported from their own module so that the
 * rest of cdk8s-plus (the L2 constructs, which the project does not use) is not loaded with them.
 * Moving to a newer cdk8s-plus line changes this import only.
 */
export * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
