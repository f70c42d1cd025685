/**
 * The GLib key file format (the "Desktop Entry"-like .ini that NetworkManager's keyfiles, its
 * timestamps and seen-bssids databases are written in): `[group]` headers, `key=value` lines,
 * `#` comments; values escape `\s` (space), `\n`, `\t`, `\r` and `\\`. Lines that are none of
 * these are skipped, as GLib would refuse them; nothing here throws.
 */
export interface KeyFileEntry {
  value: string;
  /** 1-based line of the key. */
  line: number;
  /** The line as written. */
  raw: string;
}

export interface KeyFileGroup {
  name: string;
  line: number;
  entries: Map<string, KeyFileEntry>;
}

export type KeyFile = Map<string, KeyFileGroup>;

export function parseKeyFile(text: string): KeyFile {
  const groups: KeyFile = new Map();
  let current: KeyFileGroup | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const line = raw.replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[([^\]\[]*)\]\s*$/.exec(line);
    if (header) {
      // A repeated group merges into the first, as g_key_file does.
      current = groups.get(header[1]!) ?? { name: header[1]!, line: i + 1, entries: new Map() };
      groups.set(current.name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current === null || eq <= 0) continue;
    const key = line.slice(0, eq).trimEnd();
    // The last value of a key wins, as in GLib.
    current.entries.set(key, { value: unescapeValue(line.slice(eq + 1).replace(/^[ \t]+/, '')), line: i + 1, raw });
  }
  return groups;
}

/** g_key_file_parse_value_as_string: \s \n \t \r \\ are unescaped; other escapes are kept as written. */
export function unescapeValue(value: string): string {
  return value.replace(/\\(.)/g, (all, c: string) => {
    switch (c) {
      case 's':
        return ' ';
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case '\\':
        return '\\';
      default:
        return all;
    }
  });
}

/** The value of group.key, or undefined. */
export function valueOf(file: KeyFile, group: string, key: string): KeyFileEntry | undefined {
  return file.get(group)?.entries.get(key);
}
