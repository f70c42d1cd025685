/** /proc/self/mountinfo: "major:minor" of each mounted device to its mount points. */
export function parseMountinfo(text: string): Map<string, string[]> {
  const byDevice = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 5) continue;
    const device = f[2]!;
    byDevice.set(device, [...(byDevice.get(device) ?? []), unescapeOctal(f[4]!)]);
  }
  return byDevice;
}

/** The kernel writes space, tab, newline and backslash in mount paths as \040 \011 \012 \134. */
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
