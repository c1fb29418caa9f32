#include "report/html.h"

#include "json/document.h"
#include "json/writer.h"

namespace konform::report::html {

std::string escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
        out += "\xEF\xBF\xBD";
      else
        out += c;
    }
  }
  return out;
}

namespace {

constexpr std::string_view kCss = R"(
:root{--pass:#2e7d32;--fail:#c62828;--err:#ef6c00;--upd:#1565c0;--mute:#666;--line:#ddd}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:16px 24px;color:#222;background:#fafafa}
h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:0}
.meta{color:var(--mute);font-size:13px}
.bar{display:flex;height:18px;border-radius:4px;overflow:hidden;margin:8px 0;background:#eee}
.bar span{display:block}.bar .passed{background:var(--pass)}.bar .failed{background:var(--fail)}
.bar .error{background:var(--err)}.bar .updated{background:var(--upd)}
.counts span{margin-right:14px}
.verdict{font-weight:600;padding:2px 8px;border-radius:4px;color:#fff}
.verdict.passed{background:var(--pass)}.verdict.failed,.verdict.runtime-failure{background:var(--fail)}
.verdict.bad-input{background:var(--err)}
section.card{background:#fff;border:1px solid var(--line);border-radius:6px;margin:12px 0;padding:10px 14px}
table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:3px 8px;border-bottom:1px solid #eee;vertical-align:top}
th{font-weight:600;color:#444}
table.steps{table-layout:fixed}
.steps>tbody>tr>th:nth-child(1){width:80px}.steps>tbody>tr>th:nth-child(3){width:70px}
.steps>tbody>tr>th:nth-child(4){width:100px}.steps>tbody>tr>th:nth-child(5){width:0;padding:0}
table.diff{table-layout:fixed}.diff th:nth-child(1){width:22%}
th.num,td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;min-width:52px;text-align:center;font-size:12px;font-weight:600;border-radius:3px;color:#fff;padding:0 4px}
.badge.passed{background:var(--pass)}.badge.failed{background:var(--fail)}
.badge.error{background:var(--err)}.badge.updated{background:var(--upd)}
pre,code,.mono{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:6px 8px;border-radius:4px;margin:4px 0;max-height:480px;overflow:auto}
mark{background:#ffd54f;color:#000;outline:1px solid #c62828}
details{margin:4px 0}summary{cursor:pointer;color:#333}
.on-view[data-deferred]{min-height:120px}
.detail{padding:4px 0 8px 12px;border-left:3px solid var(--fail);margin:4px 0 8px}
.diff td{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace;white-space:pre-wrap;word-break:break-all}
.diff td.path{color:#0d47a1}.diff td.path .meta{font-family:system-ui,sans-serif;word-break:normal}
.warn{color:var(--err)}
.kusto-table{overflow-x:auto;max-width:100%}
table.kusto{width:auto;margin:4px 0 10px}table.kusto td,table.kusto th{border:1px solid #e0e0e0;padding:1px 6px}
table.kusto .differs,table.kusto tr.differs td{background:#ffe082;outline:2px solid #c62828}
body.failed-only tr.step.passed,body.failed-only tr.step.updated,body.failed-only section.all-passed{display:none}
)";

} // namespace

std::string page(std::string_view title, std::string_view body, std::string_view extra_css,
                 std::string_view script) {
  std::string out;
  out.reserve(body.size() + 4096);
  out += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + escaped(title) + "</title>\n<style>";
  out += kCss;
  out += extra_css;
  out += "</style>\n</head>\n<body>\n";
  out += body;
  // The marker is set last: a script error before it leaves it unset, which the browser test sees.
  out += "\n<script>\n\"use strict\";\n(function(){\n";
  out += script;
  out += "\n})();\ndocument.body.setAttribute(\"data-konform-ready\",\"1\");\n</script>\n";
  out += "</body>\n</html>\n";
  return out;
}

std::string Deferred::add(std::string content) {
  fragments_.push_back(std::move(content));
  return std::to_string(fragments_.size() - 1);
}

std::string Deferred::details(std::string_view cls, std::string_view summary_markup,
                              std::string content) {
  std::string out = "<details class=\"" + escaped(cls) + "\" data-deferred=\"" +
                    add(std::move(content)) + "\"><summary>";
  out += summary_markup;
  return out + "</summary></details>";
}

std::string Deferred::on_view(std::string_view cls, std::string content) {
  return "<div class=\"" + escaped(cls) + " on-view\" data-deferred=\"" + add(std::move(content)) +
         "\"></div>";
}

std::string Deferred::data_block() const {
  if (fragments_.empty()) return {};
  std::string json = "[";
  for (std::size_t i = 0; i < fragments_.size(); ++i) {
    if (i) json += ',';
    json::append_quoted(json, fragments_[i]);
  }
  json += ']';
  // "</" inside a <script> element would end it early; "<\/" is the same JSON string.
  std::string out = "<script type=\"application/json\" id=\"konform-deferred\">";
  out.reserve(out.size() + json.size() + 64);
  for (std::size_t i = 0; i < json.size(); ++i) {
    out += json[i];
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') out += '\\';
  }
  return out + "</script>\n";
}

const std::string_view kDeferredScript = R"(
var deferredData=document.getElementById("konform-deferred");
var deferred=deferredData?JSON.parse(deferredData.textContent):[];
function fill(el){
  var n=el.getAttribute("data-deferred");
  if(n===null)return;
  el.removeAttribute("data-deferred");
  el.insertAdjacentHTML("beforeend",deferred[+n]);
}
// "toggle" does not bubble; a capturing listener also sees <details> built later.
document.addEventListener("toggle",function(e){if(e.target.open)fill(e.target);},true);
var views=document.querySelectorAll(".on-view[data-deferred]");
if(/\bexpanded\b/.test(location.hash)){
  views.forEach(fill);
  document.querySelectorAll("details").forEach(function(d){fill(d);d.open=true;});
}else if("IntersectionObserver" in window){
  var io=new IntersectionObserver(function(entries){entries.forEach(function(e){
    if(e.isIntersecting){io.unobserve(e.target);fill(e.target);}});},{rootMargin:"1500px"});
  views.forEach(function(v){io.observe(v);});
}else views.forEach(fill);
)";

std::string body_text(std::string_view body) {
  if (body.empty()) return "<span class=\"meta\">(empty)</span>";
  std::string_view trimmed = body;
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\n' ||
                              trimmed.front() == '\r' || trimmed.front() == '\t'))
    trimmed.remove_prefix(1);
  if (!trimmed.empty() && (trimmed.front() == '{' || trimmed.front() == '[')) {
    if (auto doc = json::Document::parse(body); doc) return escaped(json::pretty(doc->root()));
  }
  return escaped(body);
}

} // namespace konform::report::html
