/** The wire shapes of Azion's v4 KV namespaces API (https://api.azion.com/v4/workspace/kv/namespaces). */

/** A namespace as Azion returns it; the name is its id. Dates are ISO 8601. */
export interface AzionNamespace {
  name: string;
  created_at: string | null;
  last_modified: string | null;
}

export interface AzionPagination {
  page: number;
  page_size: number;
  total_count: number;
  total_pages: number;
  has_next: boolean;
  has_previous: boolean;
}

/** GET /workspace/kv/namespaces?page=&page_size= */
export interface AzionNamespaceList {
  results: AzionNamespace[];
  pagination: AzionPagination;
}

/** Every failure: `{state: "error", error: {code, message, details}}`. */
export interface AzionErrorBody {
  state: 'error';
  error: { code: string; message: string; details?: Record<string, unknown> };
}
