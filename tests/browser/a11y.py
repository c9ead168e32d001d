"""Accessibility checks the journeys run on every page they visit (SPEC §5).

axe-core (through axe-playwright-python, which ships axe.min.js) audits each page and state: no
serious or critical violation may remain. It replaces the hand-written check for unnamed
controls. The checks here that axe has no rule for stay: exactly one h1, heading levels not
skipped, header/nav/footer landmarks, focus you can see, text on the level colours computed from
the CSS custom properties, charts with a description and a data table, and a page no wider
than a phone.
"""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()
# What a failing page must not have; minor and moderate findings are reported by axe but allowed.
AXE_IMPACTS = ("serious", "critical")

# Names as assistive technology computes them, simplified: aria-labelledby, aria-label, <label>,
# then the text of a button or link, then title.
_UNNAMED = """
() => {
  const text = (node) => (node ? node.textContent.replace(/\\s+/g, " ").trim() : "");
  const name = (el) => {
    const by = el.getAttribute("aria-labelledby");
    if (by) {
      const joined = by.split(/\\s+/).map((id) => text(document.getElementById(id))).join(" ").trim();
      if (joined) return joined;
    }
    const label = (el.getAttribute("aria-label") || "").trim();
    if (label) return label;
    for (const l of el.labels || []) if (text(l)) return text(l);
    if (el.matches("button, a")) {
      const own = text(el) || [...el.querySelectorAll("img[alt]")].map((img) => img.alt).join(" ").trim();
      if (own) return own;
    }
    if (el.matches("input[type=submit], input[type=button], input[type=reset]") && el.value.trim()) {
      return el.value.trim();
    }
    return (el.getAttribute("title") || "").trim();
  };
  const controls = document.querySelectorAll(
    "input:not([type=hidden]), select, textarea, button, a[href], [role=button], " +
    "[tabindex]:not([tabindex='-1'])"
  );
  return [...controls].filter((el) => !name(el)).map((el) => el.outerHTML.slice(0, 160));
}
"""

_STRUCTURE = """
() => {
  const ids = {};
  document.querySelectorAll("[id]").forEach((el) => { ids[el.id] = (ids[el.id] || 0) + 1; });
  return {
    lang: document.documentElement.lang,
    title: document.title.trim(),
    h1: [...document.querySelectorAll("h1")].map((h) => h.textContent.trim()),
    main: document.querySelectorAll("main, [role=main]").length,
    banner: document.querySelectorAll("body > header, [role=banner]").length,
    nav: document.querySelectorAll("header nav, [role=banner] nav").length,
    footer: document.querySelectorAll("body > footer, [role=contentinfo]").length,
    duplicateIds: Object.keys(ids).filter((id) => ids[id] > 1),
    imagesWithoutAlt: [...document.querySelectorAll("img:not([alt])")].map((img) => img.src),
    headingSkips: (() => {
      const levels = [...document.querySelectorAll("main h1, main h2, main h3, main h4, main h5, main h6")]
        .map((h) => Number(h.tagName[1]));
      return levels.filter((level, i) => i > 0 && level > levels[i - 1] + 1).length;
    })(),
  };
}
"""

_CHARTS = """
() => [...document.querySelectorAll("svg")].filter((svg) => !svg.parentElement.closest("svg")).map((svg) => {
  const ids = (svg.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
  const figure = svg.closest("figure");
  const table = figure && figure.querySelector("table");
  return {
    role: svg.getAttribute("role"),
    labelledBy: ids.map((id) => (document.getElementById(id) || {}).textContent || "").map((t) => t.trim()),
    title: (svg.querySelector(":scope > title") || {}).textContent || "",
    tableCaption: table && table.caption ? table.caption.textContent.trim() : "",
    tableRows: table ? table.querySelectorAll("tbody tr").length : 0,
    figureLabel: figure ? figure.getAttribute("aria-labelledby") : null,
  };
})
"""

# The level colours as the stylesheet defines them, and the colours a badge actually gets.
_LEVEL_COLOURS = """
() => {
  const root = getComputedStyle(document.documentElement);
  const levels = [];
  for (let n = 1; n <= 5; n++) {
    const badge = document.createElement("span");
    badge.className = `badge level-badge level-${n}`;
    badge.textContent = "Level";
    document.body.appendChild(badge);
    const style = getComputedStyle(badge);
    levels.push({
      level: n,
      property: root.getPropertyValue(`--gemba-level-${n}`).trim(),
      background: style.backgroundColor,
      text: style.color,
    });
    badge.remove();
  }
  return levels;
}
"""

# Text drawn on a level colour in the page itself: badges and heatmap cells, with everything inside.
_TEXT_ON_LEVELS = """
() => {
  const out = [];
  document.querySelectorAll(".level-badge, .heatmap td.cell").forEach((box) => {
    const background = getComputedStyle(box).backgroundColor;
    [box, ...box.querySelectorAll("*")].forEach((el) => {
      const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (hasText && el.getClientRects().length) {
        out.push({text: el.textContent.trim().slice(0, 40), color: getComputedStyle(el).color, background});
      }
    });
  });
  return out;
}
"""

# The element that shows focus: a radio or checkbox Bootstrap styles as a button (.btn-check) is
# drawn by its label, which gets the outline.
_FOCUS = """
() => {
  let el = document.activeElement;
  if (!el || el === document.body) return null;
  if (el.classList.contains("btn-check") && el.labels && el.labels.length) el = el.labels[0];
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  const top = document.elementFromPoint(x, y);
  return {
    html: el.outerHTML.slice(0, 120),
    covered: Boolean(top && !el.contains(top) && !top.contains(el)),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow,
    width: box.width,
    height: box.height,
  };
}
"""

_OVERFLOW = """
() => {
  const width = document.documentElement.clientWidth;
  const culprits = [];
  document.querySelectorAll("main *").forEach((el) => {
    if (el.closest(".table-responsive, .visually-hidden") || el.parentElement.closest("svg")) return;
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) {
      const name = `${el.tagName.toLowerCase()}.${el.getAttribute("class") || ""}`;
      culprits.push(`${name} right=${Math.round(box.right)}`);
    }
  });
  return {scrollWidth: document.scrollingElement.scrollWidth, width, culprits: culprits.slice(-8)};
}
"""


def _rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.strip()
    if colour.startswith("#"):
        digits = colour[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))
    match = re.match(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+))?\s*\)", colour)
    assert match, f"cannot read the colour {colour!r}"
    assert match.group(4) in (None, "1"), f"{colour!r} is translucent: its contrast depends on what is behind"
    return tuple(float(match.group(i)) for i in (1, 2, 3))


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a CSS colour (#rrggbb, #rgb or rgb())."""

    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio, 1 to 21."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def assert_controls_named(page) -> None:
    unnamed = page.evaluate(_UNNAMED)
    assert not unnamed, f"{page.url}: controls without an accessible name:\n" + "\n".join(unnamed)


def axe_violations(page, impacts: tuple[str, ...] = AXE_IMPACTS) -> list[str]:
    """axe-core's violations of these impacts on the page as it is now, one line per element."""
    results = _AXE.run(page, options={"resultTypes": ["violations"]})
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} · {' '.join(node['target'])}"
        for violation in results.response["violations"]
        if violation["impact"] in impacts
        for node in violation["nodes"]
    ]


def assert_axe_clean(page) -> None:
    found = axe_violations(page)
    assert not found, f"{page.url}: axe-core found serious or critical violations:\n" + "\n".join(found)


def assert_structure(page) -> None:
    s = page.evaluate(_STRUCTURE)
    where = page.url
    assert s["lang"], f"{where}: <html> has no lang"
    assert s["title"], f"{where}: the page has no <title>"
    assert len(s["h1"]) == 1, f"{where}: expected exactly one h1, found {s['h1']}"
    assert s["main"] == 1, f"{where}: expected one <main> landmark, found {s['main']}"
    assert s["banner"] >= 1 and s["nav"] >= 1, f"{where}: no <header> with a <nav>"
    assert s["footer"] >= 1, f"{where}: no <footer> landmark"
    assert not s["duplicateIds"], f"{where}: duplicate ids {s['duplicateIds']}"
    assert not s["imagesWithoutAlt"], f"{where}: images without alt {s['imagesWithoutAlt']}"
    assert not s["headingSkips"], f"{where}: a heading level is skipped"


def assert_charts_described(page) -> int:
    """Every inline SVG is an image with a name (its <title>), a description and a data table."""
    charts = page.evaluate(_CHARTS)
    for chart in charts:
        assert chart["role"] == "img", f"{page.url}: an inline chart without role=img"
        assert chart["labelledBy"] and all(chart["labelledBy"]), f"{page.url}: a chart without a name"
        assert chart["title"].strip(), f"{page.url}: a chart without <title>"
        assert chart["tableCaption"] and chart["tableRows"], (
            f"{page.url}: chart {chart['title']!r} has no table"
        )
    return len(charts)


def assert_level_contrast(page) -> None:
    """Text on every level colour reaches 4.5:1, from the CSS custom properties and as rendered."""
    for level in page.evaluate(_LEVEL_COLOURS):
        assert level["property"], f"--gemba-level-{level['level']} is not defined"
        assert relative_luminance(level["property"]) == relative_luminance(level["background"])
        ratio = contrast_ratio(level["text"], level["property"])
        assert ratio >= 4.5, (
            f"level {level['level']}: {level['text']} on {level['property']} is {ratio:.2f}:1"
        )
    for sample in page.evaluate(_TEXT_ON_LEVELS):
        ratio = contrast_ratio(sample["color"], sample["background"])
        assert ratio >= 4.5, f"{page.url}: {sample} has contrast {ratio:.2f}:1"


def focus_indicator(page) -> dict | None:
    return page.evaluate(_FOCUS)


def assert_focus_visible(page, indicator: dict | None = None) -> None:
    indicator = indicator or focus_indicator(page)
    assert indicator, f"{page.url}: nothing has focus"
    drawn = indicator["outlineStyle"] != "none" and indicator["outlineWidth"] >= 2
    assert drawn or indicator["boxShadow"] not in ("", "none"), (
        f"{page.url}: focus is invisible on {indicator}"
    )
    assert indicator["width"] and indicator["height"], (
        f"{page.url}: focus is on an invisible element {indicator}"
    )
    assert not indicator["covered"], (
        f"{page.url}: the focused element is hidden under another one {indicator}"
    )


def assert_tab_focus_visible(page, presses: int = 3) -> None:
    """Press Tab a few times: each element reached shows where focus is. Tab starts from the top
    of a page just opened (the skip link), else after what was last clicked or focused."""
    page.evaluate("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()")
    for _ in range(presses):
        page.keyboard.press("Tab")
        assert_focus_visible(page)


def assert_fits_width(page) -> None:
    """No sideways scrolling of the page itself (wide tables scroll inside .table-responsive)."""
    fit = page.evaluate(_OVERFLOW)
    assert fit["scrollWidth"] <= fit["width"] + 1, f"{page.url} is wider than the screen: {fit}"


def check_page(page, *, focus: bool = True) -> None:
    """Everything above, for one page as it is now."""
    assert_axe_clean(page)
    assert_structure(page)
    assert_charts_described(page)
    assert_level_contrast(page)
    assert_fits_width(page)
    if focus:
        assert_tab_focus_visible(page)
