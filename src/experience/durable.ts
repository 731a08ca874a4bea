import { randomUUID } from "node:crypto"
import { promises as fs } from "node:fs"
import { basename, dirname, join } from "node:path"

/*
 * Durable file writes for experience that must survive a crash: data is fsynced before a write counts as
 * done, and directory entries (new files, renames, deletions) are fsynced through their directory.
 */

export const fsyncDirectory = async (dir: string): Promise<void> => {
  const handle = await fs.open(dir, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Appends text and fsyncs it; the first append to a new file also syncs the directory entry. */
export const appendDurable = async (path: string, text: string): Promise<void> => {
  const existed = await fs.stat(path).then(() => true, () => false)
  const handle = await fs.open(path, "a")
  try {
    await handle.appendFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
  if (!existed) await fsyncDirectory(dirname(path))
}

/** Writes a whole file that appears at `path` complete or not at all (temp file, fsync, rename, fsync dir). */
export const writeFileAtomic = async (path: string, text: string): Promise<void> => {
  const temp = join(dirname(path), `.tmp-${basename(path)}-${randomUUID().slice(0, 8)}`)
  const handle = await fs.open(temp, "w")
  try {
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await fs.rename(temp, path)
  await fsyncDirectory(dirname(path))
}

/**
 * Cuts a JSONL file back to its last complete line. A line without its newline is a write a crash
 * interrupted, and an interrupted write was never acknowledged to its caller, so nothing is lost.
 */
export const truncatePartialLine = async (path: string): Promise<void> => {
  const text = await fs.readFile(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined
    throw e
  })
  if (text === undefined || text.length === 0 || text[text.length - 1] === 0x0a) return
  const keep = text.lastIndexOf(0x0a) + 1
  await fs.truncate(path, keep)
  const handle = await fs.open(path, "r+")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
