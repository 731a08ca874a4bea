import { describe } from "vitest"
import { parseMochaJson } from "../../src/parsers/mochaJson.ts"
import { itParsesEveryCapturedLog, itParsesEveryEdgeCase } from "./logFixtures.ts"

describe("built-in parser mocha-json", () => {
  itParsesEveryCapturedLog("mocha-json", parseMochaJson)
  itParsesEveryEdgeCase("mocha-json", parseMochaJson)
})
