import { describe } from "vitest"
import { parseJestJson } from "../../src/parsers/jestJson.ts"
import { itParsesEveryCapturedLog, itParsesEveryEdgeCase } from "./logFixtures.ts"

describe("built-in parser jest-json", () => {
  itParsesEveryCapturedLog("jest-json", parseJestJson)
  itParsesEveryEdgeCase("jest-json", parseJestJson)
})
