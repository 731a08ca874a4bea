import { describe } from "vitest"
import { parsePytest } from "../../src/parsers/pytest.ts"
import { itParsesEveryCapturedLog, itParsesEveryEdgeCase } from "./logFixtures.ts"

describe("built-in parser pytest", () => {
  itParsesEveryCapturedLog("pytest", parsePytest)
  itParsesEveryEdgeCase("pytest", parsePytest)
})
