import { injectorSuite } from "./support.ts"

injectorSuite("qs", [1, 2, 3])
