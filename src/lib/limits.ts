/**
 * Every limit of the KV model, in one place. Values are those of Azion's KV Store
 * (mirroring Cloudflare Workers KV); see docs/ARCHITECTURE.md. Validation, the server and the
 * HTTP client all read from here so a limit can never disagree between layers.
 */
export const LIMITS = {
  /** Keys are 1..512 bytes once UTF-8 encoded. */
  keyMaxBytes: 512,
  /** 25 MiB per value. */
  valueMaxBytes: 26_214_400,
  /** Metadata, once JSON-serialised. */
  metadataMaxBytes: 1024,
  /** expirationTtl, in seconds. */
  minExpirationTtlSeconds: 60,
  /** An absolute expiration must be at least this far in the future. */
  minExpirationOffsetSeconds: 60,
  /**
   * The latest absolute expiry accepted: 9999-12-31T23:59:59Z in unix seconds (kvadm's
   * rule; the KV documentation sets none). It keeps expirations exact integers and turns
   * a millisecond timestamp given by mistake into an error instead of year 300,000.
   */
  maxExpirationSeconds: 253_402_300_799,
  /** cacheTtl on reads, in seconds. */
  minCacheTtlSeconds: 60,
  /** Writes allowed to one key in one second (enforced by `kvadm serve`). */
  writesPerKeyPerSecond: 1,
  /** Key listing page size: the default and the maximum. */
  listMaxLimit: 1000,
  /**
   * The largest page of a listing with value digests (`digest=true`, kvadm serve's extension,
   * docs/PROTOCOL.md): a sync or diff against kvadm serve asks for its listing page after page,
   * so larger pages mean fewer waits for the next one.
   */
  digestListMaxLimit: 10_000,
  /** The HTTP protocol's smallest page size. */
  listMinLimit: 10,
  /** Items in one bulk write or bulk delete request. */
  bulkMaxItems: 10_000,
  /** Request body of one bulk request. */
  bulkMaxBodyBytes: 100_000_000,
  /** Keys in one bulk get request. */
  bulkGetMaxKeys: 100,
  /** Namespace names: characters. */
  namespaceNameMaxChars: 64,
} as const;

/** 1-64 of A-Z a-z 0-9 . _ -, not starting with '.' (kvadm's rule, docs/ARCHITECTURE.md). */
export const NAMESPACE_NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

/** The namespace used when none is given; it is created on first use. */
export const DEFAULT_NAMESPACE = 'default';

/** Azion's own limits, stricter than kvadm's where both apply (its v4 API and runtime). */
export const AZION_LIMITS = {
  /** Namespace names: 3..63 characters of A-Z a-z 0-9 _ - (no "."). */
  namespaceNameMinChars: 3,
  namespaceNameMaxChars: 63,
  /** page_size of GET /workspace/kv/namespaces: 1..1000. */
  namespacePageMaxSize: 1000,
} as const;

export const AZION_NAMESPACE_NAME_PATTERN = /^[A-Za-z0-9_-]{3,63}$/;
