/**
 * Cuts a long observation in the middle (the start and the end of command output matter most) and says how
 * much was cut, so the model knows the output is incomplete and can narrow its command.
 */
export const truncateMiddle = (text: string, maxChars: number): string => {
  if (text.length <= maxChars) return text
  const head = Math.floor(maxChars * 0.4)
  const tail = maxChars - head
  const cut = text.slice(head, text.length - tail)
  const cutLines = cut.split("\n").length - 1
  return (
    text.slice(0, head) +
    `\n[… ${cut.length.toLocaleString("en-US")} characters (${cutLines.toLocaleString("en-US")} lines) of ${text.length.toLocaleString("en-US")} cut from the middle; narrow the command (grep, head, tail, sed -n) to see them …]\n` +
    text.slice(text.length - tail)
  )
}

/** `cat -n` style: right-aligned 1-based line numbers, a tab, the line. */
export const numberLines = (lines: ReadonlyArray<string>, firstLine: number): string =>
  lines.map((line, i) => `${String(firstLine + i).padStart(6)}\t${line}`).join("\n")
