import { tmpdir } from "node:os"
import { join } from "node:path"

// Prepared environments and baseline caches are shared by every test file of a run (and across runs).
process.env["SSR_HOME"] ??= join(tmpdir(), "ssr-test-home")
