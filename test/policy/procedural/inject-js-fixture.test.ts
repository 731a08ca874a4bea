import { injectorSuite } from "./support.ts"

injectorSuite("js-fixture", [1, 2, 3])
