/** Parsers for ALSA's /proc/asound text files. */

/** /proc/asound/cards: ` 0 [PCH            ]: HDA-Intel - HDA Intel PCH` → card number to long name. */
export function parseAsoundCards(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*(\d+)\s+\[[^\]]*\]:\s*[^-]*-\s*(.*)$/.exec(line);
    if (match) names.set(Number(match[1]), match[2]!.trim());
  }
  return names;
}

/** /proc/asound/pcm: `00-00: ALC892 Analog : ALC892 Analog : playback 1 : capture 1` → "00-00" to name. */
export function parseAsoundPcms(text: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^(\d+-\d+):\s*([^:]*?)\s*:/.exec(line);
    if (match) names.set(match[1]!, match[2]!);
  }
  return names;
}
