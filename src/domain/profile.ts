import * as z from "zod"
import { DEFAULT_TEST_GLOBS } from "../diff/files.ts"

/** Built-in test-output parsers a profile may name (each exists in TypeScript and as a shippable Python parser). */
export const BUILTIN_PARSERS = ["tap", "mocha-json", "junit-xml", "pytest", "unittest", "jest-json"] as const
export const BuiltinParserName = z.enum(BUILTIN_PARSERS)
export type BuiltinParserName = z.infer<typeof BuiltinParserName>

const RepoSource = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("local"),
    path: z.string().min(1).describe("Path of a git checkout, relative to this profile file or absolute"),
    rev: z.string().min(1).default("HEAD").describe("Commit, tag or branch")
  }),
  z.object({
    kind: z.literal("git"),
    url: z.string().min(1).describe("Anything `git clone` accepts"),
    rev: z.string().min(1).describe("Commit, tag or branch")
  }),
  z.object({
    kind: z.literal("npm"),
    package: z.string().min(1),
    version: z.string().min(1).describe("Exact version; its registry tarball must ship the tests")
  }),
  z.object({
    kind: z.literal("patches"),
    dir: z.string().min(1).describe("Directory of `git format-patch` files replayed with `git am` into a new repo")
  })
])
export type RepoSource = z.infer<typeof RepoSource>

export const RepoProfile = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, '.', '_' and '-'"),
    description: z.string().optional(),
    language: z.enum(["javascript", "typescript", "python", "other"]).default("other"),
    source: RepoSource,
    install: z
      .object({
        testDependencies: z
          .array(z.string())
          .default([])
          .describe("npm specs installed into node_modules without reading the package's own manifest"),
        commands: z
          .array(z.string())
          .default([])
          .describe("Shell lines run at the repo root (network allowed) after testDependencies")
      })
      .default({ testDependencies: [], commands: [] }),
    testFiles: z
      .array(z.string())
      .min(1)
      .default([...DEFAULT_TEST_GLOBS])
      .describe("Globs of test files (relative to the repo root); everything else is code. Default: common JS/TS/Python conventions"),
    test: z
      .object({
        command: z.string().min(1).describe("Runs the whole suite with per-test output"),
        parser: BuiltinParserName,
        timeoutSeconds: z.number().positive().default(300)
      })
      .optional()
      .describe("Known test command and built-in parser (for the procedural policy and for speed)"),
    env: z.record(z.string(), z.string()).default({}).describe("Extra environment for every sandboxed command")
  })
  .meta({ id: "RepoProfile", title: "Repository profile (repos/*.json)" })
export type RepoProfile = z.infer<typeof RepoProfile>
export type RepoProfileInput = z.input<typeof RepoProfile>
