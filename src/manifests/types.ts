import type { V1ObjectMeta } from '@kubernetes/client-node';

/** Where something was read from. */
export interface SourceLocation {
  /** Path of the file relative to the loaded directory, with `/` separators. */
  file: string;
  /** 1-based line number. */
  line: number;
}

/**
 * A parsed Kubernetes object: string `apiVersion` and `kind`, `metadata` a mapping when present,
 * any other field of any shape (read them with the accessors of `fields.ts`, or through a typed
 * model once the object's structure has been checked).
 */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: V1ObjectMeta;
  readonly [field: string]: unknown;
}

/** One Kubernetes object read from a manifest file, with where it came from. */
export interface LoadedObject {
  /** The parsed object. Always a mapping with string `apiVersion` and `kind`. */
  readonly object: KubeObject;
  /** Where the document (or the `List` item) starts. */
  readonly location: SourceLocation;
  /**
   * `Kind/namespace/name`; `Kind//name` when the kind is cluster-scoped or the object has no
   * `metadata.namespace` (no default namespace is applied here).
   */
  readonly key: string;
}

/**
 * Unreadable or malformed input: a file that cannot be read, is binary or too large, YAML that
 * does not parse, or a document that is not a Kubernetes object.
 */
export class ManifestError extends Error {
  /**
   * @param message what is wrong, without the location
   * @param file the offending file as the caller named it (the loaded directory joined with the
   *   file's relative path, or the name given to {@link parseManifests})
   * @param line 1-based line, when known
   */
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'ManifestError';
  }

  /** `file:line: message` (or `file: message` without a line), the form the CLIs print. */
  describe(): string {
    return this.line !== undefined
      ? `${this.file}:${this.line}: ${this.message}`
      : `${this.file}: ${this.message}`;
  }
}

/**
 * A document that parsed as YAML but is not a Kubernetes object: a mapping without `apiVersion`
 * or `kind` (a `kustomization.yaml`, a Helm values file), a sequence (a JSON array), a scalar.
 * Argo CD cannot apply it.
 */
export interface NotAnObject {
  /** Path of the file relative to the loaded directory, with `/` separators. */
  readonly file: string;
  /** 1-based line where the document (or the `List` item) starts. */
  readonly line: number;
  /** What is wrong, e.g. `document has no apiVersion`. */
  readonly reason: string;
  /** The parsed value, for callers that recognise other kinds of documents. */
  readonly value: unknown;
}

/** Options of {@link loadManifests}. */
export interface LoadOptions {
  /**
   * Largest file that is read; a bigger one is an error rather than a slow run or an
   * out-of-memory crash.
   * @default 16 MiB
   */
  readonly maxFileBytes?: number;
  /**
   * Receives each document that is not a Kubernetes object, which is then skipped. Without it
   * such a document is a {@link ManifestError}.
   * @default - throw
   */
  readonly onNotAnObject?: (document: NotAnObject) => void;
  /**
   * Whether a worker thread reads files too (the objects, their order and the errors are the
   * same either way).
   * @default - when the files hold 2 MiB or more, the machine has several cores and is not
   *   overloaded (load average below the cores plus one)
   */
  readonly worker?: boolean;
}
