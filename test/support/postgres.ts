/**
 * A private PostgreSQL server for tests and the cluster soak: `initdb` into a temporary
 * directory, `pg_ctl start` on a free localhost port, and on `stop` the server shut down and the
 * directory removed. Nothing has to be started by hand.
 *
 * It uses the machine's PostgreSQL binaries (`PG_BIN`, else the newest `/usr/lib/postgresql/<v>/bin`,
 * else `initdb` on the PATH). PostgreSQL refuses to run as root: as root, `initdb` and `pg_ctl` run as
 * the `postgres` user through `runuser`, and the directory is handed to it.
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"

/** A running server. */
export interface Postgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, localhost only). */
  readonly url: string
  readonly port: number
  /** Stops the server (fast shutdown) and removes its directory. Safe to call twice. */
  readonly stop: () => void
}

/** The directory holding `initdb` and `pg_ctl`, or `undefined` when the machine has none. */
export const binDir = (): string | undefined => {
  const fromEnv = process.env.PG_BIN
  if (fromEnv !== undefined && Fs.existsSync(Path.join(fromEnv, "initdb"))) return fromEnv
  const root = "/usr/lib/postgresql"
  if (Fs.existsSync(root)) {
    const versions = Fs.readdirSync(root).filter((v) => Fs.existsSync(Path.join(root, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a))
    if (versions.length > 0) return Path.join(root, versions[0]!, "bin")
  }
  try {
    const initdb = execFileSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).trim()
    return initdb === "" ? undefined : Path.dirname(initdb)
  } catch {
    return undefined
  }
}

/** Whether a server can be started here. */
export const available = (): boolean => binDir() !== undefined

/** A localhost port nobody listens on now (a server may still take it before the caller does). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = Net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as Net.AddressInfo
      server.close(() => resolve(address.port))
    })
  })

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0

/** Starts a server; rejects with initdb's or pg_ctl's output when it cannot. */
export const start = async (): Promise<Postgres> => {
  const bin = binDir()
  if (bin === undefined) throw new Error("no PostgreSQL binaries found (set PG_BIN to the directory of initdb)")
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "edg-pg-"))
  const data = Path.join(dir, "data")
  const asRoot = isRoot()
  if (asRoot) {
    Fs.chmodSync(dir, 0o755)
    execFileSync("chown", ["postgres:", dir])
  }
  const run = (file: string, args: ReadonlyArray<string>) =>
    asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", Path.join(bin, file), ...args], { stdio: "pipe", cwd: dir })
      : execFileSync(Path.join(bin, file), [...args], { stdio: "pipe", cwd: dir })
  const remove = () => Fs.rmSync(dir, { recursive: true, force: true })
  try {
    run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"])
  } catch (error) {
    remove()
    throw new Error(`initdb failed: ${String((error as { stderr?: unknown }).stderr ?? error)}`)
  }
  // A few tries: another process may take the free port between our check and the server's bind.
  for (let attempt = 0;; attempt++) {
    const port = await freePort()
    const options = [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${dir}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=200"
    ].join(" ")
    try {
      run("pg_ctl", ["-D", data, "-l", Path.join(dir, "log"), "-o", options, "-w", "-t", "30", "start"])
    } catch (error) {
      if (attempt < 3) continue
      const log = Fs.existsSync(Path.join(dir, "log")) ? Fs.readFileSync(Path.join(dir, "log"), "utf8") : ""
      remove()
      throw new Error(`pg_ctl start failed: ${String((error as { stderr?: unknown }).stderr ?? error)}\n${log}`)
    }
    let stopped = false
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      port,
      stop: () => {
        if (stopped) return
        stopped = true
        try {
          run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"])
        } catch {
          // Already gone: the directory is removed all the same.
        }
        remove()
      }
    }
  }
}
