import { describe } from "vitest"
import { parseTap } from "../../src/parsers/tap.ts"
import { itParsesEveryCapturedLog, itParsesEveryEdgeCase } from "./logFixtures.ts"

describe("built-in parser tap", () => {
  itParsesEveryCapturedLog("tap", parseTap)
  itParsesEveryEdgeCase("tap", parseTap)
})
