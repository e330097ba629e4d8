extension HTMLReport {
    /// The page's inline style sheet (a constant: no value from the report reaches it).
    static let style = """
        :root{--fg:#1d2329;--muted:#5b6670;--line:#d5dbe1;--bg:#fff;--pass:#1a7f37;--fail:#c62828;--warn:#9a6700;\
        --pass-bg:#e8f5ec;--fail-bg:#fdecec;--warn-bg:#fff6dd;--mark-del:#ffd7d5;--mark-ins:#c9f2d2}
        *{box-sizing:border-box}
        body{margin:0 auto;max-width:1100px;padding:1.5rem;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;\
        color:var(--fg);background:var(--bg)}
        code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
        pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
        code{overflow-wrap:anywhere}
        h1{font-size:1.4rem;margin:.2rem 0}
        h2{font-size:1.15rem;margin:2rem 0 .6rem;border-bottom:1px solid var(--line);padding-bottom:.3rem}
        .verdict{border-radius:8px;padding:1rem 1.25rem;border-left:8px solid}
        .verdict.passed{background:var(--pass-bg);border-color:var(--pass)}
        .verdict.failed{background:var(--fail-bg);border-color:var(--fail)}
        .verdict.inconclusive{background:var(--warn-bg);border-color:var(--warn)}
        .verdict-word{font-size:2rem;font-weight:700;margin:0;text-transform:uppercase;letter-spacing:.05em}
        .passed .verdict-word{color:var(--pass)}.failed .verdict-word{color:var(--fail)}
        .inconclusive .verdict-word{color:var(--warn)}
        .reason{margin:.3rem 0 .8rem}
        .headline{display:flex;flex-wrap:wrap;gap:.5rem 2rem;margin:0}
        .headline dt{font-size:.8rem;color:var(--muted);text-transform:uppercase}
        .headline dd{margin:0}
        .interval,.muted,figcaption{color:var(--muted)}
        table{border-collapse:collapse;width:100%;margin:.4rem 0}
        th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
        th{font-weight:600;background:#f5f7f9}
        .num{text-align:right;font-variant-numeric:tabular-nums}
        .totals td{font-variant-numeric:tabular-nums}
        .samples>td{background:#fafbfc}
        details{margin:.2rem 0}
        summary{cursor:pointer;color:#0b57d0}
        .diff td.v1,.diff td.v2{width:40%}
        .diff td.v1 mark{background:var(--mark-del)}
        .diff td.v2 mark{background:var(--mark-ins)}
        .detail td{color:var(--muted);font-size:.9em}
        .absent{color:var(--muted)}
        .truncated{color:var(--muted);font-style:italic}
        .chart svg{width:100%;height:auto;max-height:320px}
        .grid{stroke:var(--line);stroke-width:1}
        .axis{fill:var(--muted);font-size:11px}
        .budget{stroke:var(--fail);stroke-width:1.5;stroke-dasharray:6 4}
        .budget-label{fill:var(--fail);font-size:11px}
        .series{fill:none;stroke:#0b57d0;stroke-width:2}
        circle.series{fill:#0b57d0}
        .transition{stroke-width:1.5;stroke-dasharray:2 3;stroke:var(--muted)}
        .transition.state-open{stroke:var(--fail)}.transition.state-half-open{stroke:var(--warn)}
        .transition.state-closed{stroke:var(--pass)}
        .transition-label{font-size:10px;fill:var(--muted)}
        .rollout-step{stroke-width:1;stroke:#0b57d0;stroke-dasharray:1 3}
        .rollout-label{font-size:10px;fill:#0b57d0}
        td.state-open code{color:var(--fail)}td.state-closed code{color:var(--pass)}
        td.state-half-open code{color:var(--warn)}
        .bars{display:grid;gap:.25rem}
        .bar{display:grid;grid-template-columns:minmax(8rem,2fr) 3fr 4rem;gap:.6rem;align-items:center}
        .bar-label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
        .bar-track{background:#eef1f4;border-radius:3px;height:.9rem;display:block}
        .bar-fill{background:var(--fail);display:block;height:100%;border-radius:3px;min-width:2px;\
        print-color-adjust:exact;-webkit-print-color-adjust:exact}
        .bar-count{text-align:right;font-variant-numeric:tabular-nums}
        footer{margin-top:2rem;color:var(--muted);font-size:.85rem}
        @media print{
        body{max-width:none;padding:0;font-size:10pt}
        .verdict{print-color-adjust:exact;-webkit-print-color-adjust:exact}
        h2{break-after:avoid}
        tr,figure,.bar{break-inside:avoid}
        summary{color:var(--fg)}
        details::details-content{content-visibility:visible;display:contents}
        a{color:inherit;text-decoration:none}
        }
        """
}
