namespace LlmTrack.Reports;

/// <summary>The report's inline style sheet: one column on phones, wide tables scroll in their own box, print-friendly.</summary>
internal static class ReportStyles
{
    public const string Css = """
        :root { color-scheme: light; --ink: #1a1a1a; --muted: #4d4d4d; --line: #d0d0d0; --band: #f3f5f8; --accent: #0072B2; }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif;
               color: var(--ink); background: #ffffff; line-height: 1.45; font-size: 16px; }
        main { max-width: 1180px; margin: 0 auto; padding: 1rem 1rem 3rem; }
        header { border-bottom: 3px solid var(--accent); margin-bottom: 1rem; padding-bottom: .5rem; }
        h1 { font-size: 1.6rem; margin: .2rem 0; overflow-wrap: anywhere; }
        h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
        h3 { font-size: 1rem; margin: .4rem 0; overflow-wrap: anywhere; }
        p, li { overflow-wrap: anywhere; }
        .meta { color: var(--muted); font-size: .9rem; margin: .2rem 0; }
        nav ul { list-style: none; padding: 0; margin: .5rem 0; display: flex; flex-wrap: wrap; gap: .3rem .9rem; font-size: .95rem; }
        a { color: #005a8c; }
        .scroll { overflow-x: auto; max-width: 100%; border: 1px solid var(--line); border-radius: 4px; }
        .scroll:focus { outline: 2px solid var(--accent); }
        table { border-collapse: collapse; font-size: .9rem; min-width: 100%; }
        caption.hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        td code { word-break: break-all; }
        .grid.small { grid-template-columns: repeat(auto-fill, minmax(min(100%, 320px), 1fr)); }
        caption { caption-side: top; text-align: left; padding: .45rem .6rem; color: var(--muted); font-size: .85rem; }
        th, td { padding: .35rem .6rem; border-top: 1px solid var(--line); text-align: left; vertical-align: top; }
        thead th { background: var(--band); border-top: 0; white-space: nowrap; }
        tbody th { font-weight: 600; white-space: nowrap; }
        tr.group th { background: #e8edf3; font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: #333; }
        table.comparison tbody th[scope=row] { position: sticky; left: 0; background: #ffffff; box-shadow: 1px 0 0 var(--line); }
        table.comparison thead th:first-child { position: sticky; left: 0; z-index: 1; }
        td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.missing { color: var(--muted); text-align: center; }
        .ci { color: var(--muted); font-size: .85em; }
        .delta { display: block; color: var(--muted); font-size: .8em; }
        ul.warnings { font-size: .9em; }
        td.text { min-width: 10rem; max-width: 28rem; overflow-wrap: anywhere; }
        .bad { color: #9e3a00; font-weight: 600; }
        .good { color: #00603f; font-weight: 600; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 460px), 1fr)); gap: 1rem; }
        figure { margin: 0; padding: .5rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; min-width: 0; }
        figure svg { display: block; width: 100%; height: auto; max-width: 100%; }
        figcaption { font-size: .85rem; color: var(--muted); margin-top: .3rem; overflow-wrap: anywhere; }
        .note { font-size: .9rem; color: var(--muted); }
        @media (max-width: 600px) {
          body { font-size: 15px; }
          main { padding: .6rem .6rem 2rem; }
          h1 { font-size: 1.3rem; }
          .grid { grid-template-columns: 1fr; }
        }
        @media print {
          body { font-size: 10pt; }
          main { max-width: none; padding: 0; }
          nav { display: none; }
          .scroll { overflow: visible; border: 0; }
          table { font-size: 8.5pt; }
          td.text { max-width: none; }
          h2 { break-after: avoid; }
          figure, tr { break-inside: avoid; }
          .grid, .grid.small { grid-template-columns: repeat(2, 1fr); gap: 8pt; }
          a { color: inherit; text-decoration: none; }
        }
        """;
}
