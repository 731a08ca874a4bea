import type { Message } from "../domain/trajectory.ts"

/**
 * Tool-call arguments as they go back to a server in the conversation history. Servers parse them (vLLM
 * json.loads them for the chat template; Anthropic needs an object), so a malformed call the model made is
 * replayed as an object holding its raw text instead of failing the whole request. The model still sees
 * what it wrote, and the error observation that followed.
 */
export const replayableArguments = (raw: string): Record<string, unknown> => {
  try {
    const parsed: unknown = JSON.parse(raw)
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>
  } catch {
    // fall through
  }
  return { unparsed_arguments: raw }
}

export const systemText = (messages: ReadonlyArray<Message>): string =>
  messages.flatMap((m) => (m.role === "system" ? [m.content] : [])).join("\n\n")
