import type { Tree } from "./gitFixture.ts"

const bytes = (length: number, seed: number): Buffer => {
  const buffer = Buffer.alloc(length)
  let state = seed
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff
    buffer[i] = i % 7 === 0 ? 0 : state & 0xff
  }
  return buffer
}

const lines = (count: number, label: string): string =>
  Array.from({ length: count }, (_, i) => `${label} line ${i + 1}`).join("\n") + "\n"

const CALC_BEFORE = `export function add(a, b) {
  const first = a
  const second = b
  const unused = 0
  return first + second
}

export function multiply(a, b) {
  let product = 0
  for (let i = 0; i < b; i++) {
    product += a
  }
  return product
}

export function divide(a, b) {
  if (b === 0) throw new Error("division by zero")
  return a / b
}
`

const CALC_AFTER = CALC_BEFORE.replace("return first + second", "return first - second").replace(
  '  if (b === 0) throw new Error("division by zero")\n',
  ""
)

const LOGO = bytes(600, 7)
const LOGO_CHANGED = Buffer.concat([LOGO.subarray(0, 300), Buffer.from("changed\u0000"), LOGO.subarray(300)])

/** One commit pair exercising every kind of file change `git diff` can print. */
export const KITCHEN_SINK_BEFORE: Tree = {
  "src/calc.js": CALC_BEFORE,
  "src/my module.js": lines(8, "spaced"),
  "docs/ünïcode.md": "# Title\n\nhello\n",
  'src/quote"d.txt': "quoted name\n",
  "src/crlf.txt": "first\r\nsecond\r\nthird\r\n",
  "src/no-eol.txt": "alpha\nbeta",
  "src/gains-eol.txt": "one\ntwo",
  "src/gone.js": lines(4, "gone"),
  "src/empty-gone.txt": "",
  "src/old-name.js": lines(12, "renamed"),
  "src/moved.js": lines(5, "moved"),
  "bin/run.sh": "#!/bin/sh\necho run\n",
  "assets/logo.bin": LOGO,
  "test/calc.test.js": 'import { add } from "../src/calc.js"\nassert(add(1, 2) === 3)\nassert(add(2, 2) === 4)\n'
}

export const KITCHEN_SINK_AFTER: Tree = {
  "src/calc.js": CALC_AFTER,
  "src/my module.js": lines(8, "spaced").replace("spaced line 4", "spaced line four"),
  "docs/ünïcode.md": "# Title\n\nhello, world\n",
  'src/quote"d.txt': "quoted name, edited\n",
  "src/crlf.txt": "first\r\nSECOND\r\nthird\r\n",
  "src/no-eol.txt": "alpha\nBETA",
  "src/gains-eol.txt": "one\ntwo\n",
  "src/new.js": lines(3, "new"),
  "src/empty-new.txt": "",
  "src/new-name.js": lines(12, "renamed").replace("renamed line 6", "renamed line six"),
  "lib/moved.js": lines(5, "moved"),
  "bin/run.sh": { content: "#!/bin/sh\necho run\n", executable: true },
  "assets/logo.bin": LOGO_CHANGED,
  "assets/new.bin": bytes(200, 11),
  "test/calc.test.js": 'import { add } from "../src/calc.js"\nassert(add(1, 2) === 3)\n'
}

/** Every path the kitchen-sink change touches, sorted. */
export const KITCHEN_SINK_TOUCHED = [
  "assets/logo.bin",
  "assets/new.bin",
  "bin/run.sh",
  "docs/ünïcode.md",
  "lib/moved.js",
  "src/calc.js",
  "src/crlf.txt",
  "src/empty-gone.txt",
  "src/empty-new.txt",
  "src/gains-eol.txt",
  "src/gone.js",
  "src/moved.js",
  "src/my module.js",
  "src/new-name.js",
  "src/new.js",
  "src/no-eol.txt",
  "src/old-name.js",
  'src/quote"d.txt',
  "test/calc.test.js"
]
