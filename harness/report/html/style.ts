/** report.html's stylesheet: system fonts only (nothing fetched), readable printed or on screen. */
export const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; padding: 1rem 1.5rem 3rem; max-width: 1100px; color: #111; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; } h3 { font-size: 1rem; }
nav a { margin-right: 1rem; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { border: 1px solid #ddd; padding: .25rem .5rem; vertical-align: top; text-align: left; }
th { background: #f5f5f5; } td.num { text-align: right; font-variant-numeric: tabular-nums; } td.over { color: #b00; font-weight: 600; }
ul.inputs { margin: 0; padding-left: 1rem; font-size: .85rem; }
.kind { display: inline-block; padding: 0 .35rem; border-radius: 3px; font-size: .8rem; font-weight: 600; }
.kind-measured { background: #e3f2e3; color: #1b5e20; } .kind-fitted { background: #e3ecf8; color: #0d47a1; } .kind-extrapolated { background: #fdf0d8; color: #8a4b00; } .kind-inputs { background: #eee; color: #333; }
.verdict-valid { color: #1b5e20; } .verdict-invalid { color: #b00; }
#warnings.has-warnings { background: #fff8e1; padding: 0 1rem .5rem; border-left: 4px solid #f9a825; }
.chart { overflow-x: auto; min-height: 2rem; } .chart-error { color: #b00; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; } dt { font-weight: 600; } dd { margin: 0; }
.legend { font-size: .85rem; color: #444; }
`;
