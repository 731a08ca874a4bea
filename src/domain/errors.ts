import { Schema } from "effect"

/*
 * Infrastructure failures: the engine could not do its job. Verdicts about artifacts, patches or tests are
 * never errors; they are values in reports.
 */

/** Bad input from the user (flags, profile files, artifact directories): exit code 2 with this message. */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {}

/** A repository could not be fetched or its dependencies could not be installed. */
export class PrepareError extends Schema.TaggedError<PrepareError>()("PrepareError", {
  message: Schema.String,
  repo: Schema.String,
  output: Schema.optional(Schema.String)
}) {}

/** A sandbox could not be created, used or released. */
export class SandboxError extends Schema.TaggedError<SandboxError>()("SandboxError", {
  message: Schema.String,
  operation: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** A host-side file or git operation of the engine itself failed. */
export class HostIoError extends Schema.TaggedError<HostIoError>()("HostIoError", {
  message: Schema.String,
  operation: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

export type InfraError = UsageError | PrepareError | SandboxError | HostIoError
