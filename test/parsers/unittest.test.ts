import { describe } from "vitest"
import { parseUnittest } from "../../src/parsers/unittest.ts"
import { itParsesEveryCapturedLog, itParsesEveryEdgeCase } from "./logFixtures.ts"

describe("built-in parser unittest", () => {
  itParsesEveryCapturedLog("unittest", parseUnittest)
  itParsesEveryEdgeCase("unittest", parseUnittest)
})
