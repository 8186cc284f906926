/** An account as the domain sees it; the repository maps it to and from MongoDB documents. */
export interface User {
  /** A UUID string: ids are opaque to clients and become the `sub` of access tokens. */
  readonly id: string;
  /** Normalised (trimmed, lower-case); unique. */
  readonly email: string;
  readonly passwordHash: string;
  readonly scopes: readonly string[];
  readonly createdAt: Date;
}

/** Email and password as a caller gives them (validated and normalised at the edge). */
export interface Credentials {
  readonly email: string;
  readonly password: string;
}
