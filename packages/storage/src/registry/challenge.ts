/** One challenge of a `WWW-Authenticate` header: its scheme and parameters (names lowercased). */
export interface Challenge {
  readonly scheme: string
  readonly params: Readonly<Record<string, string>>
}

/**
 * The challenges of a `WWW-Authenticate` header (RFC 7235 section 4.1): `Bearer
 * realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"`, possibly
 * several, comma-separated, with quoted strings holding commas and escaped quotes. Parameter
 * names are case-insensitive (lowercased here); a token68 value is kept as `params.token68`.
 * Malformed parts are skipped, never thrown: the caller decides what it can use.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = []
  let i = 0
  const n = header.length
  const skipSpace = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++
  }
  const token = () => {
    const start = i
    while (i < n && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(header[i]!)) i++
    return header.slice(start, i)
  }
  const quoted = () => {
    // At the opening quote.
    i++
    let s = ''
    while (i < n && header[i] !== '"') {
      if (header[i] === '\\' && i + 1 < n) i++
      s += header[i++]
    }
    i++ // closing quote (or end)
    return s
  }
  while (i < n) {
    skipSpace()
    while (i < n && header[i] === ',') {
      i++
      skipSpace()
    }
    const scheme = token()
    if (scheme === '') {
      i++ // not a token: skip a character and go on
      continue
    }
    const params: Record<string, string> = {}
    skipSpace()
    // Parameters until the next scheme (a token not followed by "=").
    for (;;) {
      skipSpace()
      const save = i
      const name = token()
      skipSpace()
      const next = header[i + 1]
      const token68 = name !== '' && header[i] === '=' && Object.keys(params).length === 0 && (next === undefined || next === '=' || next === ',' || next === ' ')
      if (name !== '' && header[i] === '=' && !token68) {
        i++
        skipSpace()
        const value = header[i] === '"' ? quoted() : token()
        params[name.toLowerCase()] = value
        skipSpace()
        if (header[i] === ',') {
          i++
          continue
        }
        break
      }
      if (token68 || (name !== '' && Object.keys(params).length === 0 && (i >= n || header[i] === ','))) {
        // token68 (e.g. "Negotiate abc=="): rare; kept as is.
        let t = name
        while (i < n && header[i] === '=') t += header[i++]
        params.token68 = t
        break
      }
      i = save
      break
    }
    out.push({ scheme: scheme.toLowerCase(), params })
  }
  return out
}
