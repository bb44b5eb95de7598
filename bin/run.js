#!/usr/bin/env node
// Transitional: the kv get fast path moves onto the manifest-driven dispatcher (next commits).
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
