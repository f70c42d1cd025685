import { trustedHtml } from './html.js';

/** The reports' stylesheet: inline, readable on screen, A4 when printed. */
export const REPORT_STYLE = trustedHtml(`<style>
  :root { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: #1a1a1a; }
  body { margin: 24px auto; max-width: 1100px; padding: 0 16px; line-height: 1.5; }
  h1 { font-size: 22px; border-bottom: 3px solid #b22222; padding-bottom: 6px; }
  h2 { font-size: 17px; margin-top: 28px; border-left: 4px solid #b22222; padding-left: 8px; }
  table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
  th, td { border: 1px solid #c8c8c8; padding: 4px 6px; text-align: left; vertical-align: top; word-break: break-all; }
  th { background: #f2f2f2; }
  .sev-critical { color: #fff; background: #b22222; } .sev-high { background: #f4c2c2; }
  .sev-medium { background: #fbe7b5; } .sev-low { background: #e8eef7; }
  .ok { color: #1b7a2b; font-weight: bold; } .bad { color: #b22222; font-weight: bold; }
  .meta { color: #555; font-size: 13px; } .en { color: #666; font-size: 12px; }
  .chart-label, .chart-value { font-size: 12px; fill: #1a1a1a; }
  @page { size: A4; margin: 15mm 12mm; }
  @media print {
    body { margin: 0; max-width: none; font-size: 11pt; }
    h2 { break-after: avoid; } tr, svg { break-inside: avoid; }
    thead { display: table-header-group; }
  }
</style>`);
