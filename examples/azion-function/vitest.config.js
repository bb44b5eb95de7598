import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A fresh kvadm store for every run: `import 'kvadm/azion'` reads KVADM_DATA_DIR.
    env: { KVADM_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'links-function-test-')) },
  },
});
