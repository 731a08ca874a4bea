/**
 * The scrubbed base environment of every sandboxed command, whatever the backend: nothing of the engine's own
 * environment (tokens, keys, proxies, GIT_* variables) leaks in. Colour is off so parsers see plain text.
 */
export const baseSandboxEnv = (
  path: string,
  home: string,
  extra: Readonly<Record<string, string>> = {}
): Record<string, string> => ({
  PATH: path,
  HOME: home,
  TMPDIR: "/tmp",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  TERM: "dumb",
  CI: "1",
  NO_COLOR: "1",
  FORCE_COLOR: "0",
  PYTHONDONTWRITEBYTECODE: "1",
  PYTHONUNBUFFERED: "1",
  GIT_AUTHOR_NAME: "ssr",
  GIT_AUTHOR_EMAIL: "ssr@sandbox.invalid",
  GIT_COMMITTER_NAME: "ssr",
  GIT_COMMITTER_EMAIL: "ssr@sandbox.invalid",
  GIT_CONFIG_NOSYSTEM: "1",
  ...extra
})

/** Host variables that network-enabled preparation steps need (CA bundles, proxies, registry); never secrets. */
const NETWORK_ENV_KEYS = [
  "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY",
  "https_proxy", "http_proxy", "no_proxy", "npm_config_registry"
]

export const networkEnv = (): Record<string, string> =>
  Object.fromEntries(NETWORK_ENV_KEYS.flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]!]])))
