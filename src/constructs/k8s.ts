/**
 * The one place the Kubernetes L1 classes come from. cdk8s-plus-28 re-exports the generated
 * bindings for Kubernetes 1.28; moving to a newer cdk8s-plus line changes this import only.
 */
export { k8s } from 'cdk8s-plus-28';
