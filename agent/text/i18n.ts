/** Messages are in Chinese first, English second; the user's language picks one. */
export type Lang = 'zh' | 'en';

export interface Bilingual {
  zh: string;
  en: string;
}

/** --lang if given, else LC_ALL / LC_MESSAGES / LANG starting with "zh", else English. */
export function detectLang(explicit?: string, env: NodeJS.ProcessEnv = process.env): Lang {
  if (explicit === 'zh' || explicit === 'en') return explicit;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return locale.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function pick(text: Bilingual, lang: Lang): string {
  return text[lang];
}
