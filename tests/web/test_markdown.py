"""Codex's answers as markdown (issue 18): the vendored markdown-it is the file its record says, and
the app's own renderer (web/markdown.js), run in the real page of a real relay in Chromium, formats
an answer and keeps an XSS corpus harmless — no script runs, no dialog opens, no handler, style,
image, frame or unsafe link reaches the page, and the CSP reports nothing."""

from __future__ import annotations

import hashlib
import re

from .conftest import WEB

ANSWER = """# Plan

Some **bold** and `inline code`, then a list:

- first
- second

```python
def add(a, b):
    return a + b  # a long comment that must scroll inside the block rather than the page, on and on
```

See [the docs](https://example.com/docs) and mail <mailto:team@example.com>.
"""

# Each line would run a script, open a dialog or load something if the renderer let it through.
CORPUS = [
    "<script>window.__xss = 'script'</script>",
    "<img src=x onerror=\"window.__xss='img'\">",
    "<svg onload=\"window.__xss='svg'\"><script>window.__xss='svg-script'</script></svg>",
    "[click](javascript:window.__xss='link')",
    "[click2](JaVaScRiPt:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9J2RhdGEnPC9zY3JpcHQ+)",
    "[vb](vbscript:msgbox(1))",
    "![pixel](https://example.com/pixel.png)",
    "![js](javascript:window.__xss='image')",
    "<a href=\"javascript:window.__xss='raw-a'\">raw</a>",
    "<iframe src=\"javascript:window.__xss='frame'\"></iframe>",
    "<div style=\"background:url(javascript:alert(1))\" onclick=\"window.__xss='div'\">x</div>",
    "<details open ontoggle=\"window.__xss='toggle'\">x</details>",
    "<<script>script>window.__xss='nested'<</script>/script>",
    "<img src=\"x\" onerror=\"window.__xss='unclosed'\"",
    "[x](<javascript:window.__xss='angle'>)",
    "[ref][r]\n\n[r]: javascript:window.__xss='ref'",
    "<https://example.com/ok> and <javascript:window.__xss='autolink'>",
    "```html\n<script>window.__xss='fence'</script>\n```",
    "<style>body{display:none}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=\"window.__xss='mxss'\">",
    "&lt;script&gt;window.__xss='entity'&lt;/script&gt;",
    "[t](https://example.com \"x\\\" onmouseover=\\\"window.__xss='title'\")",
]

RENDER = """async (text) => {
  const { renderMarkdown } = await import("/markdown.js");
  const box = document.createElement("div");
  box.className = "md";
  box.id = "rendered";
  document.body.replaceChildren(box);
  box.append(renderMarkdown(text));
  await new Promise((resolve) => setTimeout(resolve, 300)); // anything that would load or fire has done so
  return box.innerHTML;
}"""

FOUND = """() => {
  const box = document.getElementById("rendered");
  const all = [...box.querySelectorAll("*")];
  return {
    xss: window.__xss || null,
    tags: [...new Set(all.map((el) => el.localName))].sort(),
    handlers: all.flatMap((el) => [...el.attributes].map((a) => a.name)).filter((n) => n.startsWith("on") || n === "style" || n === "src"),
    hrefs: [...box.querySelectorAll("a")].map((a) => [a.getAttribute("href"), a.target, a.rel]),
  };
}"""


def test_the_vendored_renderer_is_the_file_its_record_names():
    record = (WEB / "vendor" / "README.md").read_text()
    row = next(line for line in record.splitlines() if line.startswith("| `markdown-it.umd.min.js`"))
    recorded = re.findall(r"`([0-9a-f]{64})`", row)
    assert recorded == [hashlib.sha256((WEB / "vendor" / "markdown-it.umd.min.js").read_bytes()).hexdigest()]
    assert "| 15.0.3 |" in row and (WEB / "vendor" / "markdown-it.LICENSE").read_text().startswith("Copyright")
    assert '"/vendor/markdown-it.umd.min.js"' in (WEB / "sw.js").read_text()  # works offline too


def test_an_answer_renders_heading_list_code_and_safe_links(relay, phone):
    phone.open("/")
    phone.page.wait_for_function("() => typeof window.markdownit === 'function'")
    phone.page.evaluate(RENDER, ANSWER)
    found = phone.page.evaluate(FOUND)
    assert {"h1", "strong", "code", "ul", "li", "pre", "a"} <= set(found["tags"]), found
    assert found["hrefs"] == [
        ["https://example.com/docs", "_blank", "noopener noreferrer"],
        ["mailto:team@example.com", "_blank", "noopener noreferrer"],
    ]
    page = phone.page
    assert page.locator("#rendered h1").inner_text() == "Plan"
    assert page.locator("#rendered li").all_inner_texts() == ["first", "second"]
    block = page.locator("#rendered pre")
    assert block.evaluate("(el) => getComputedStyle(el).fontFamily").lower().find("mono") >= 0
    assert block.evaluate("(el) => getComputedStyle(el).overflowX") == "auto"
    assert page.locator("#rendered pre code").get_attribute("class") == "language-python"
    assert not phone.problems()


def test_the_xss_corpus_runs_no_script_and_adds_nothing_active(relay, phone):
    dialogs = []
    phone.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    phone.open("/")
    phone.page.wait_for_function("() => typeof window.markdownit === 'function'")
    for sample in [*CORPUS, "\n\n".join(CORPUS)]:
        phone.page.evaluate(RENDER, sample)
        found = phone.page.evaluate(FOUND)
        assert found["xss"] is None, (sample, found)
        assert set(found["tags"]) <= {"p", "a", "code", "pre", "ul", "li", "em", "strong"}, (sample, found)
        assert found["handlers"] == [], (sample, found)
        for href, target, rel in found["hrefs"]:
            assert re.match(r"^(https?:|mailto:)", href) and target == "_blank" and rel == "noopener noreferrer", (sample, href)
    assert dialogs == []
    # The text of the corpus is shown, not lost: a reader still sees what Codex wrote.
    phone.page.evaluate(RENDER, CORPUS[0])
    assert "<script>" in phone.page.locator("#rendered").inner_text()
    assert not phone.problems()
