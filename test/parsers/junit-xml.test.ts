import { describe } from "vitest"
import { parseJunitXml } from "../../src/parsers/junitXml.ts"
import { itParsesEveryCapturedLog, itParsesEveryEdgeCase } from "./logFixtures.ts"

describe("built-in parser junit-xml", () => {
  itParsesEveryCapturedLog("junit-xml", parseJunitXml)
  itParsesEveryEdgeCase("junit-xml", parseJunitXml)
})
