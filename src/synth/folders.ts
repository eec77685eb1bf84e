/** Folder of the output that holds the Argo CD files; it is no environment. */
export const ARGOCD_FOLDER = 'argocd';

/** Folder inside {@link ARGOCD_FOLDER} of the ApplicationSet's parameter files (one per environment). */
export const ARGOCD_PARAMETERS_FOLDER = 'environments';
