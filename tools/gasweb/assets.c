/*
 * assets: the console's stylesheet and its small script, compiled into the
 * binary so that the console needs no CDN, no build chain and no file
 * outside the program: it works on a county network with no internet.
 *
 * The layout is one column on a phone (360 px and up, nothing wider than
 * the screen: the map scales, tables scroll inside their own box) and
 * columns of cards on a desk.  The script only adds conveniences (the
 * station a map pin points at is highlighted); every page works without it.
 */
#include <string.h>

#include "web.h"

static const char css[] =
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%}\n"
    "body{margin:0;font:16px/1.45 system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;"
    "color:#1d2733;background:#f3f5f8;overflow-wrap:anywhere}\n"
    ".bar{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.6rem 1rem;"
    "background:#0b4f8a;color:#fff}\n"
    ".bar a{color:#fff;text-decoration:none}\n"
    ".brand{font-weight:700;margin-right:auto}\n"
    ".bar nav{display:flex;flex-wrap:wrap;gap:.25rem .9rem;align-items:center}\n"
    ".bar nav a{padding:.3rem 0}\n"
    ".who{width:100%;font-size:.8rem;opacity:.85}\n"
    "form.inline{display:inline;margin:0}\n"
    "button,.button{font:inherit;padding:.55rem 1rem;border:0;border-radius:.4rem;"
    "background:#0b4f8a;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}\n"
    ".bar button{background:#fff;color:#0b4f8a;padding:.3rem .7rem}\n"
    "main{padding:1rem;max-width:1200px;margin:0 auto}\n"
    "h1{font-size:1.35rem;margin:.2rem 0 .8rem}h2{font-size:1.1rem}\n"
    ".card{background:#fff;border-radius:.6rem;padding:1rem;margin:0 0 1rem;"
    "box-shadow:0 1px 3px rgba(0,0,0,.12)}\n"
    ".narrow{max-width:26rem;margin:1rem auto}\n"
    "label{display:block;margin:.5rem 0;font-size:.9rem}\n"
    "input,select{display:block;width:100%;font:inherit;padding:.55rem;margin-top:.2rem;"
    "border:1px solid #b8c2cc;border-radius:.4rem;background:#fff}\n"
    ".error{color:#a40e0e;font-weight:600}\n"
    ".hint{font-size:.85rem;color:#55606b}\n"
    ".mapwrap{background:#fff;border-radius:.6rem;padding:.5rem;margin-bottom:1rem;"
    "box-shadow:0 1px 3px rgba(0,0,0,.12)}\n"
    "svg.map{display:block;width:100%;height:auto;max-height:75vh}\n"
    ".township path{stroke:#fff;stroke-width:2}\n"
    ".township text{font-size:40px;font-weight:600;text-anchor:middle;fill:#1d2733;pointer-events:none}\n"
    ".t0 path{fill:#cfe8d5}.t1 path{fill:#ffe2a8}.t2 path{fill:#ffb27a}.t3 path{fill:#f0776c}"
    ".tx path{fill:#e3e6ea}\n"
    "tr.t0 td{color:#1e6b34}tr.t1 td,tr.t2 td{color:#8a4b00}tr.t3 td{color:#a40e0e}\n"
    ".pin{stroke:#fff;stroke-width:5}.pin.ok{fill:#1e8e3e}.pin.warn{fill:#e49b0f}"
    ".pin.bad{fill:#c5221f}\n"
    ".cards{display:grid;grid-template-columns:1fr;gap:0 1rem}\n"
    "@media (min-width:700px){.cards{grid-template-columns:repeat(2,1fr)}}\n"
    "@media (min-width:1050px){.cards{grid-template-columns:repeat(3,1fr)}}\n"
    ".station h3{margin:0 0 .5rem;font-size:1rem;display:flex;align-items:center;gap:.4rem}\n"
    ".station.hl{outline:3px solid #0b4f8a}\n"
    ".dot{width:.8rem;height:.8rem;border-radius:50%;display:inline-block;flex:none}\n"
    ".dot.ok{background:#1e8e3e}.dot.warn{background:#e49b0f}.dot.bad{background:#c5221f}\n"
    "dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem .8rem;margin:0}\n"
    "dt{color:#55606b;font-size:.85rem}dd{margin:0}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e6ea;"
    "font-size:.9rem}\n"
    ".scroll{overflow-x:auto;max-width:100%}\n"
    ".trace td{white-space:nowrap}\n"
    ".verdict{font-size:1.15rem;font-weight:700;padding:.7rem;border-radius:.4rem}\n"
    ".verdict.valid{background:#cfe8d5;color:#1e6b34}"
    ".verdict.invalid{background:#f9d3d0;color:#a40e0e}\n"
    ".lang{display:flex;gap:.5rem;font-size:.85rem}.lang span{font-weight:700}\n"
    "svg.chart{display:block;width:100%;height:auto}\n"
    ".chartwrap{overflow:hidden}.links{margin:.5rem 0}.links .button{padding:.35rem .8rem;"
    "font-size:.9rem}\n"
    ".figtable td{white-space:nowrap}details summary{cursor:pointer;margin:.3rem 0}\n"
    "@media (min-width:700px){#figform{display:grid;grid-template-columns:repeat(3,1fr);"
    "gap:0 .8rem;align-items:end}#figform button{margin:.5rem 0}}\n"
    "footer{padding:1rem;font-size:.8rem;color:#55606b;text-align:center}\n"
    "@media (min-width:700px){#traceform{display:grid;grid-template-columns:repeat(5,1fr);"
    "gap:0 .8rem;align-items:end}#traceform button{margin:.5rem 0}}\n";

static const char js[] =
    "/* gasweb: conveniences only; every page works without this file. */\n"
    "'use strict';\n"
    "function highlight() {\n"
    "  document.querySelectorAll('.station.hl').forEach(function (e) {\n"
    "    e.classList.remove('hl');\n"
    "  });\n"
    "  if (location.hash.indexOf('#st-') !== 0) return;\n"
    "  var card = document.getElementById(decodeURIComponent(location.hash.slice(1)));\n"
    "  if (card) card.classList.add('hl');\n"
    "}\n"
    "window.addEventListener('hashchange', highlight);\n"
    "document.addEventListener('DOMContentLoaded', highlight);\n";

void
page_asset(struct request *r, struct reply *out)
{
	const char *name = r->path + strlen("/static/");

	if (strcmp(name, "app.css") == 0) {
		out->content_type = "text/css; charset=utf-8";
		page_raw(&out->body, css);
	} else if (strcmp(name, "app.js") == 0) {
		out->content_type = "text/javascript; charset=utf-8";
		page_raw(&out->body, js);
	} else if (strcmp(name, "cases.css") == 0) {
		out->content_type = "text/css; charset=utf-8";
		page_raw(&out->body, cases_style);
	} else if (strcmp(name, "cases.js") == 0) {
		out->content_type = "text/javascript; charset=utf-8";
		page_raw(&out->body, cases_script);
	} else {
		reply_error(r, out, 404, W_NOT_FOUND, W_NOT_FOUND);
	}
}
