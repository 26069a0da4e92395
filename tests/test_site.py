"""The built book as readers meet it: every page _toc.yml lists, in English and in Korean
(``ko/``), opened in headless Chromium.

Needs a built site (``make book``) and Debian's ``chromium`` + ``chromium-driver``; without
either the browser tests are skipped, unless ``RNNLIB_REQUIRE_SITE=1`` (``make test-site``,
CI) turns the skip into a failure. Screenshots go to test-artifacts/screenshots/.

The browser sees no network (every host but 127.0.0.1 fails to resolve), as a reader
offline would: external loads (the MathJax CDN, the Colab badge image) fail and are
expected to. Math is then typeset by a local copy of MathJax 3 when one is installed
(requirements.txt pins it), so a TeX error still shows; otherwise the test checks that the
page holds the TeX source.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from site_helpers import (
    HTML_DIR,
    MATHJAX_ROUTE,
    ROOT,
    Page,
    chromium,
    find_chromium,
    forbidden_text,
    is_external,
    launch_settings,
    offline_mathjax_dir,
    page_images,
    save_screenshots,
    serve,
    site_console_errors,
    toc_pages,
)
from translations import glued_words  # book/translations.py, on the path via site_helpers

REQUIRE_SITE = os.environ.get("RNNLIB_REQUIRE_SITE", "").strip() not in ("", "0")
# The editions: English at the site's root, Korean in ko/ (book/_ext/editions.py).
EDITIONS = {"en": "", "ko": "ko/"}
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DIAGRAM_SHOTS = SCREENSHOTS / "diagrams"
# A diagram drawn by book/diagrams/ (Sphinx copies book/figures/NAME.svg, or the edition's
# NAME.ko.svg, to _images/).
DIAGRAM = re.compile(r"/_images/(ch\d+_\w+)(?:\.(ko))?\.svg$")
# A numbered caption, as each edition writes it.
CAPTION_NUMBER = re.compile(r"(Fig\.|그림) \d+")
# Share of the article images outside links (badges and buttons are links) with a caption.
MIN_CAPTIONED = 0.9
REPORT = ROOT / "test-artifacts" / "site-report.json"
PAGES = toc_pages()
LAUNCH = {"en": launch_settings(), "ko": launch_settings(edition="ko")}
# A glossary term (book/glossary.md) each edition's search must find.
SEARCH_TERMS = {"en": "forget gate", "ko": "망각 게이트"}
# The Korean pages' article text (code and the bibliography's entries aside) is mostly
# Korean: Hangul syllables per Latin
# letter. An untranslated page has none; a translated one keeps English terms in
# parentheses, names, math and code spans (measured: 1.6 to 4.7 per page).
MIN_HANGUL_PER_LATIN = 0.8
# External badge images cannot load offline; each is checked by the link around it.
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"


def _skip(reason: str) -> None:
    if REQUIRE_SITE:
        pytest.fail(f"{reason} (RNNLIB_REQUIRE_SITE=1: the site test must run)")
    pytest.skip(reason)


@dataclass
class Site:
    base: str  # http://127.0.0.1:PORT/
    driver: object  # selenium.webdriver.Chrome
    mathjax: Path | None  # local MathJax 3 (es5 folder), if installed
    report: dict = field(default_factory=dict)  # page -> what was checked, for the artifact


@pytest.fixture(scope="module")
def site():
    """The built site on a local server, and one headless Chromium for all pages."""
    if not (HTML_DIR / "index.html").is_file():
        _skip(f"no built book in {HTML_DIR}: run `make book` first")
    browser, driver_path = find_chromium()
    if browser is None or driver_path is None:
        _skip("chromium or chromedriver missing: apt-get install chromium chromium-driver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        _skip("selenium is not installed: pip install -r requirements.txt")
    mathjax = offline_mathjax_dir()
    with serve(HTML_DIR, mathjax) as base, chromium(browser, driver_path) as driver:
        site = Site(base=base, driver=driver, mathjax=mathjax)
        yield site
    if site.report:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(json.dumps(site.report, indent=1) + "\n", encoding="utf-8")


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, b""


def _wait(driver, script: str, timeout: float = 30, what: str = "") -> object:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(
            lambda d: d.execute_script(script))
    except TimeoutException:
        pytest.fail(f"timed out after {timeout} s waiting for {what or script}")


def _open(site: Site, path: str) -> None:
    """Open a page as a first visit (no stored theme settings) and wait until it loaded."""
    if site.driver.current_url.startswith(site.base):
        site.driver.execute_script("localStorage.clear(); sessionStorage.clear();")
    site.driver.get_log("browser")  # drop what earlier pages logged
    site.driver.get(site.base + path)
    _wait(site.driver, "return document.readyState === 'complete'", what="the page to load")


# --------------------------------------------------------------------------------------
# Checks of one open page; each returns a list of problems
# --------------------------------------------------------------------------------------
_MATH_STATE = """
const math = Array.from(document.querySelectorAll('span.math, div.math'));
return {
  count: math.length,
  mathjaxLoaded: Boolean(window.MathJax && window.MathJax.startup),
  cdn: Array.from(document.scripts, s => s.src).filter(s => /mathjax/i.test(s)),
  unrendered: math.filter(m => !m.querySelector('mjx-container'))
                  .map(m => m.textContent.trim().slice(0, 80)),
  withoutTex: math.filter(m => !/^\\s*(\\\\\\(|\\\\\\[|\\\\begin|\\$)/.test(m.textContent))
                  .map(m => m.textContent.trim().slice(0, 80)),
  errors: Array.from(document.querySelectorAll('mjx-merror'),
                     e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 120)),
};
"""

_TYPESET_OFFLINE = """
const done = arguments[arguments.length - 1];
// The page's own MathJax settings stay; without 'noundefined' an unknown macro is an
// error (merror) instead of red text, so the check below sees it.
window.MathJax = window.MathJax || {};
MathJax.tex = Object.assign({}, MathJax.tex, {packages: {'[-]': ['noundefined']}});
const script = document.createElement('script');
script.src = arguments[0];
script.onerror = () => done('could not load the local MathJax');
script.onload = () => {
  const wait = () => (window.MathJax && MathJax.startup && MathJax.startup.promise)
    ? MathJax.startup.promise.then(() => done('ok'), e => done(String(e)))
    : setTimeout(wait, 50);
  wait();
};
document.head.appendChild(script);
"""


def _check_math(site: Site) -> tuple[list[str], str]:
    """Typeset the page's math (local MathJax 3) or at least find its TeX source."""
    driver = site.driver
    state = driver.execute_script(_MATH_STATE)
    if not state["count"]:
        return [], "no math"
    problems = []
    if not any("mathjax@3" in src for src in state["cdn"]):
        problems.append(f"the page does not load MathJax 3: scripts {state['cdn']}")
    if state["withoutTex"]:
        problems.append(f"math elements without TeX source: {state['withoutTex'][:3]}")
    if state["mathjaxLoaded"]:
        how = "MathJax from the CDN"
    elif site.mathjax is not None:
        result = driver.execute_async_script(
            _TYPESET_OFFLINE, f"{site.base.rstrip('/')}{MATHJAX_ROUTE}tex-mml-chtml.js")
        if result != "ok":
            return [*problems, f"typesetting with the local MathJax failed: {result}"], ""
        how = "local MathJax 3"
    else:
        return problems, f"TeX source only ({state['count']} math elements; no MathJax offline)"
    state = driver.execute_script(_MATH_STATE)
    if state["unrendered"]:
        problems.append(f"{len(state['unrendered'])} of {state['count']} math elements not "
                        f"typeset, e.g. {state['unrendered'][:3]}")
    if state["errors"]:
        problems.append(f"MathJax errors (bad TeX): {state['errors'][:5]}")
    return problems, f"{state['count']} math elements typeset by {how}"


_IMAGES = """
const done = arguments[arguments.length - 1];
const imgs = Array.from(document.images);
const local = i => new URL(i.currentSrc || i.src, location.href).host === location.host;
const settle = imgs.filter(local).map(i => {
  i.loading = 'eager';
  return i.decode().catch(() => null);
});
const timeout = new Promise(r => setTimeout(r, 20000));
Promise.race([Promise.all(settle), timeout]).then(() => done(imgs.map(i => ({
  src: i.currentSrc || i.src, alt: i.alt, complete: i.complete, width: i.naturalWidth,
  shown: i.getBoundingClientRect().width, link: i.closest('a') ? i.closest('a').href : null,
  output: Boolean(i.closest('.cell_output')),
  caption: i.closest('figure') && i.closest('figure').querySelector('figcaption')
           ? i.closest('figure').querySelector('figcaption').textContent.trim() : '',
}))));
"""


def _check_images(site: Site, page: Page, edition: str) -> tuple[list[str], int]:
    problems, decoded = [], 0
    for img in site.driver.execute_async_script(_IMAGES):
        src, link = img["src"], img["link"]
        if not is_external(src):
            if img["complete"] and img["width"] > 0:
                decoded += 1
            else:
                problems.append(f"image does not decode: {src} (alt {img['alt']!r})")
            # A figure wider than the column is shrunk, and its text with it (issue 11).
            if img["output"] and img["width"] > 1.02 * img["shown"]:
                problems.append(f"figure {img['width']} px wide shrunk to {img['shown']:.0f} px "
                                f"in the column: {src} (alt {img['alt']!r})")
            if DIAGRAM.search(src) and not (img["alt"].strip() and
                                            CAPTION_NUMBER.match(img["caption"])):
                problems.append(f"diagram {src} needs alt text and a numbered caption: alt "
                                f"{img['alt']!r}, caption {img['caption'][:40]!r}")
        elif src == COLAB_BADGE:
            expected = LAUNCH[edition].colab(f"{page.file}.ipynb")
            if link != expected:
                problems.append(f"Colab badge links to {link}, expected {expected}")
        elif src == BINDER_BADGE:
            if not (link or "").startswith(LAUNCH[edition].binder_prefix()):
                problems.append(f"Binder badge links to {link}")
        else:
            problems.append(f"external image cannot load offline (ship it with the book): {src}")
    return problems, decoded


_THEME = """
document.documentElement.dataset.theme = arguments[0];
document.documentElement.dataset.mode = arguments[0];
return getComputedStyle(document.body).backgroundColor;
"""


def _is_dark(css_colour: str) -> bool:
    rgb = [int(v) for v in re.findall(r"\d+", css_colour)[:3]]
    return sum(rgb) / 3 < 96


def _crop(png: bytes, rect: dict) -> tuple[bytes, float, float]:
    """The part of a window screenshot inside ``rect`` (CSS pixels, from
    getBoundingClientRect), with its median grey level (0-255) and share of ink pixels
    (grey below 100)."""
    import io

    import numpy as np
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    scale = rect["ratio"]
    box = [round(rect[k] * scale) for k in ("left", "top", "right", "bottom")]
    part = image.crop(box)
    out = io.BytesIO()
    part.save(out, format="PNG")
    grey = np.asarray(part.convert("L"), dtype=float)
    return out.getvalue(), float(np.median(grey)), float((grey < 100).mean())


_RECT = """
const r = arguments[0].getBoundingClientRect();
return {left: Math.max(0, r.left), top: Math.max(0, r.top),
        right: Math.min(innerWidth, r.right), bottom: Math.min(innerHeight, r.bottom),
        height: r.height, ratio: devicePixelRatio};
"""


def _check_diagrams(site: Site, page: Page, edition: str) -> tuple[list[str], list[str]]:
    """Each diagram of the page as a reader sees it in the light and the dark theme: a
    screenshot of the image in both (test-artifacts/screenshots/diagrams/NAME-MODE.png, and
    NAME.ko-MODE.png for the Korean drawing), which must show a light ground with dark ink
    in both. A Korean page shows the Korean drawing."""
    from selenium.webdriver.common.by import By

    problems, names = [], []
    images = [i for i in site.driver.find_elements(By.CSS_SELECTOR, "article img")
              if DIAGRAM.search(i.get_attribute("src") or "")]
    DIAGRAM_SHOTS.mkdir(parents=True, exist_ok=True)
    for img in images:
        name, language = DIAGRAM.search(img.get_attribute("src")).groups()
        if language != (None if edition == "en" else edition):
            problems.append(f"diagram {name} shown in language {language or 'en'} "
                            f"on a page of the {edition} edition")
        name = f"{name}.{language}" if language else name
        names.append(name)
        site.driver.execute_script(  # instant: the theme scrolls smoothly by default
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", img)
        for mode in ("light", "dark"):
            body = site.driver.execute_script(_THEME, mode)
            if _is_dark(body) != (mode == "dark"):
                problems.append(f"the page did not switch to the {mode} theme ({body})")
            rect = site.driver.execute_script(_RECT, img)
            if rect["bottom"] - rect["top"] < 0.9 * rect["height"]:
                problems.append(f"diagram {name} does not fit in the window: {rect}")
                continue
            png, ground, ink = _crop(site.driver.get_screenshot_as_png(), rect)
            (DIAGRAM_SHOTS / f"{name}-{mode}.png").write_bytes(png)
            if ground < 180 or ink < 0.002:
                problems.append(f"diagram {name} in the {mode} theme: ground {ground:.0f}/255, "
                                f"ink pixels {ink:.2%} (want a light ground and dark ink)")
        site.driver.execute_script(_THEME, "light")
    return problems, names


def _check_launch_links(site: Site, page: Page, edition: str) -> list[str]:
    """Colab, Binder (English only) and download links; a Korean page's Colab link opens the
    Korean notebook the build wrote into the site (published on its branch), and its
    download link gives that notebook."""
    hrefs = site.driver.execute_script(
        "return Array.from(document.querySelectorAll('a[href]'), a => a.href);")
    notebook = f"{page.file}.ipynb"
    problems = []
    launch = LAUNCH[edition]
    colab = launch.colab(notebook)
    colab_links = {h for h in hrefs if h.startswith("https://colab.research.google.com/github/")}
    if colab not in colab_links:
        problems.append(f"no Colab launch link {colab}")
    if colab_links - {colab}:
        problems.append(f"Colab links to other places: {sorted(colab_links - {colab})}")
    binder = [h for h in hrefs if h.startswith(launch.binder_prefix()) and h.endswith(notebook)]
    if launch.binderhub and not binder:
        problems.append(f"no Binder link starting {launch.binder_prefix()} for {notebook}")
    if not launch.binderhub and any("mybinder" in h for h in hrefs):
        problems.append("a Binder link, but this edition's configuration has no BinderHub")
    if edition != "en":
        # The Colab link's path on the published branch is the site's path.
        status, _ = _get(site.base + launch.folder + notebook)
        if status != 200:
            problems.append(f"the Colab link's notebook {launch.folder}{notebook} is not in "
                            f"the site (HTTP {status})")
    # (The Korean Colab link ends the same way, on GitHub.)
    downloads = [h for h in hrefs
                 if h.startswith(site.base) and h.endswith(f"/_sources/{notebook}")]
    if not downloads:
        problems.append(f"no download link for {notebook}")
    else:
        status, body = _get(downloads[0])
        try:
            nb = json.loads(body)
            ok = status == 200 and nb.get("nbformat") == 4 and nb.get("cells")
        except ValueError:
            ok = False
        if not ok:
            problems.append(f"the download link {downloads[0]} gives HTTP {status}, not a notebook")
        elif edition == "ko":
            prose = " ".join("".join(c["source"]) for c in nb["cells"]
                             if c["cell_type"] == "markdown")
            if _hangul_per_latin(prose) < MIN_HANGUL_PER_LATIN:
                problems.append(f"the downloaded notebook {downloads[0]} is not in Korean")
    return problems


def _hangul_per_latin(text: str) -> float:
    hangul = len(re.findall(r"[\uac00-\ud7a3]", text))
    return hangul / max(1, len(re.findall(r"[A-Za-z]", text)))


_ARTICLE_TEXT = """
const article = document.querySelector('article').cloneNode(true);
article.querySelectorAll(
  '.cell_input, pre, .math, mjx-container, .language-switch, .citation, script, style')
  .forEach(e => e.remove());
return article.textContent;
"""


def _check_edition(site: Site, page: Page, edition: str) -> tuple[list[str], float | None]:
    """The page's language, its switch to the same page in every other edition (followed
    there and back), and for a Korean page the share of Korean in its text."""
    problems = []
    lang = site.driver.execute_script("return document.documentElement.lang;")
    if lang != edition:
        problems.append(f"<html lang={lang!r}>, expected {edition!r}")
    here = site.driver.current_url
    links = site.driver.execute_script(
        "return Array.from(document.querySelectorAll('nav.language-switch a'),"
        " a => [a.hreflang, a.href]);")
    wanted = {code: site.base + prefix + page.html_path
              for code, prefix in EDITIONS.items() if code != edition}
    if dict(links) != wanted:
        problems.append(f"language switch links {links}, expected {wanted}")
    for code, href in links:
        site.driver.get(href)
        _wait(site.driver, "return document.readyState === 'complete'", what=f"{href} to load")
        back = site.driver.execute_script(
            f"const a = document.querySelector('nav.language-switch a[hreflang=\"{edition}\"]');"
            " return [document.documentElement.lang, a ? a.href : null];")
        if back != [code, here]:
            problems.append(f"the {code} page {href} is {back[0]!r} and links back to "
                            f"{back[1]}, expected {here}")
    if links:
        _open(site, here.removeprefix(site.base))
    share = None
    if edition == "ko":
        share = _hangul_per_latin(site.driver.execute_script(_ARTICLE_TEXT))
        if share < MIN_HANGUL_PER_LATIN:
            problems.append(f"{share:.2f} Hangul syllables per Latin letter, want "
                            f">= {MIN_HANGUL_PER_LATIN}: is the page translated?")
    return problems, share


def _console(site: Site) -> tuple[list[str], list[str]]:
    return site_console_errors(site.driver.get_log("browser"))


# --------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.file)
def test_page_as_a_reader_sees_it(site, page, edition):
    path = EDITIONS[edition] + page.html_path
    if not (HTML_DIR / path).is_file():
        _skip(f"_toc.yml lists {page.file} but _build/html has no {path}: "
              "the build is older than the TOC; run `make book`")
    status, body = _get(site.base + path)
    assert status == 200, f"{path}: HTTP {status}"
    _open(site, path)

    problems, math_note = _check_math(site)
    image_problems, decoded = _check_images(site, page, edition)
    problems += image_problems
    diagram_problems, diagrams = _check_diagrams(site, page, edition)
    problems += diagram_problems
    if page.notebook:
        problems += _check_launch_links(site, page, edition)
        if not diagrams:
            problems.append("a chapter page without a diagram")
    errors, offline = _console(site)
    problems += [f"console error: {e}" for e in errors]
    edition_problems, korean = _check_edition(site, page, edition)
    problems += edition_problems
    problems += forbidden_text(body.decode("utf-8"))
    name = page.name if edition == "en" else f"{edition}-{page.name}"
    shots = save_screenshots(site.driver, SCREENSHOTS, name)

    site.report[path] = {
        "math": math_note, "images_decoded": decoded, "diagrams": diagrams,
        "hangul_per_latin": korean,
        "expected_offline_failures": sorted(set(offline)), "problems": problems,
        "screenshots": [str(p.relative_to(ROOT)) for p in shots]}
    assert not problems, f"{path} ({shots[0].name}):\n  " + "\n  ".join(problems)


def test_images_are_captioned_and_described():
    """Over the whole built book, at least MIN_CAPTIONED of the images that are not links
    (the Colab and Binder badges are links) sit in a captioned figure, and every image has
    alt text. Read from the HTML files; writes test-artifacts/images-report.json."""
    if not (HTML_DIR / "index.html").is_file():
        _skip(f"no built book in {HTML_DIR}: run `make book` first")
    report, figures, captioned, no_alt = {}, 0, 0, []
    for page, prefix in itertools.product(PAGES, EDITIONS.values()):
        path = prefix + page.html_path
        images = page_images((HTML_DIR / path).read_text(encoding="utf-8"))
        shown = [i for i in images if not i["in_link"]]
        figures += len(shown)
        captioned += sum(bool(i["caption"]) for i in shown)
        no_alt += [f"{path}: {i['src']}" for i in images if not i["alt"]]
        report[path] = {"images": len(images), "figures": len(shown),
                                  "captioned": sum(bool(i["caption"]) for i in shown),
                                  "diagrams": sum(bool(DIAGRAM.search(i["src"])) for i in shown)}
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    (REPORT.parent / "images-report.json").write_text(json.dumps(report, indent=1) + "\n")
    assert figures, "no images in the built book"
    assert captioned / figures >= MIN_CAPTIONED, (
        f"{captioned} of {figures} images captioned, want >= {MIN_CAPTIONED:.0%}: {report}")
    assert not no_alt, f"images without alt text: {no_alt}"


def test_page_images_reads_figures_captions_and_links():
    html = ('<article class="bd-article"><a href="x"><img src="b.svg" alt="badge"></a>'
            '<figure><img src="_images/ch1_a.svg" alt="A"><figcaption><p><span>Fig. 1 '
            '</span>An RNN.</p></figcaption></figure><img src="c.png" alt=""></article>'
            '<img src="outside.png">')
    assert page_images(html) == [
        {"src": "b.svg", "alt": "badge", "in_link": True, "caption": ""},
        {"src": "_images/ch1_a.svg", "alt": "A", "in_link": False, "caption": "Fig. 1 An RNN."},
        {"src": "c.png", "alt": "", "in_link": False, "caption": ""}]


@pytest.mark.parametrize("edition", EDITIONS)
def test_root_redirects_to_the_first_page(site, edition):
    root = EDITIONS[edition] + PAGES[0].html_path
    _open(site, EDITIONS[edition])
    _wait(site.driver, f"return location.pathname.endsWith('/{root}')",
          what=f"{EDITIONS[edition]}index.html to redirect to {root}")


@pytest.mark.parametrize("edition", EDITIONS)
def test_search_finds_a_glossary_term(site, edition):
    term = SEARCH_TERMS[edition]
    glossary = ROOT / "book" / "glossary.md"
    assert term in glossary.read_text(encoding="utf-8").lower(), \
        f"the search test expects book/glossary.md to define {term!r}"
    _open(site, f"{EDITIONS[edition]}search.html?q=" + urllib.parse.quote_plus(term))
    # Sphinx writes "Search finished, found N page(s)..." or "...did not match..." at the
    # end, the Korean edition "검색이 완료되었으며..." or "...일치하는 문서가 없습니다".
    _wait(site.driver, "return /finished|did not match|완료|없습니다/i.test((document."
          "querySelector('#search-results .search-summary') || {}).textContent || '')",
          what="search results")
    results = site.driver.execute_script(
        "return Array.from(document.querySelectorAll('#search-results ul.search li a'),"
        " a => [a.textContent.trim(), a.href]);")
    save_screenshots(site.driver, SCREENSHOTS, f"search-{edition}-forget-gate")
    errors, _ = _console(site)
    assert results, f"searching {term!r} found nothing"
    glossary_page = f"/{EDITIONS[edition]}book/glossary.html"
    assert any(glossary_page in href for _, href in results), results
    assert not errors, errors


def test_glued_words_are_translated():
    """Words a notebook glues into its text (a date, a model's name) are English in the
    notebook's output: the Korean pages show their translations from glue.po, and every
    such word of the last build has one (`make translations` adds new ones)."""
    if not (HTML_DIR / "ko" / "index.html").is_file():
        _skip(f"no built Korean edition in {HTML_DIR / 'ko'}: run `make book` first")
    from babel.messages.pofile import read_po

    with (ROOT / "book" / "locale" / "ko" / "LC_MESSAGES" / "glue.po").open("rb") as f:
        catalog = {(m.context, m.id): m.string for m in read_po(f) if m.id}
    glued = glued_words()
    missing = [g for g in glued if not catalog.get(g)]
    assert glued and not missing, f"glued words without a translation in glue.po: {missing}"
    shown = []
    for page, text in glued:
        korean = (HTML_DIR / "ko" / f"{page}.html").read_text(encoding="utf-8")
        if catalog[page, text] != text and f'pasted-text">{text}<' in korean:
            shown.append(f"{page}: {text!r}")
    assert not shown, f"English glued words on Korean pages: {shown}"


# --------------------------------------------------------------------------------------
# The scanners themselves (no browser or build needed)
# --------------------------------------------------------------------------------------
def _output(text: str) -> str:
    return (f'<div class="cell docutils container"><div class="cell_output docutils container">'
            f'<div class="output stream highlight-myst-ansi notranslate"><pre>{text}</pre></div>'
            f'</div></div>')


CLEAN = _output("RNN: 10 epochs in 3.1 s; train loss 0.60 -> 0.06\n"
                "window MLP: ValueError: x must have 10 steps") + \
    '<p>See <a href="https://example.org/home/rnn">a page</a> and `/tmp` folders.</p>'


@pytest.mark.parametrize("snippet, problem", [
    (_output("Traceback (most recent call last):\n  File ..."), "traceback"),
    (_output("-" * 75 + "\nValueError                 Traceback"), "traceback"),
    (_output("Cell In[3], line 2\n    x = 1/0"), "IPython traceback"),
    ('<div class="output traceback highlight-ipythontb"><pre>x</pre></div>', "error/stderr"),
    ('<div class="output stderr highlight-myst-ansi"><pre>x</pre></div>', "error/stderr"),
    ('<script type="application/vnd.jupyter.widget-state+json">{}</script>', "widget"),
    ('<p>RMSE {glue:text}`ch1_rmse` on the test part</p>', "unrendered MyST role"),
    ('<p>the {term}`hidden state` carries</p>', "unrendered MyST role"),
    ('<pre>if "google.colab" in sys.modules:</pre>', "install cell"),
    ("<pre>saved to /srv/checkout/_build/x.png</pre>", "checkout"),
    ("<pre>data in /Users/ann/.cache/rnnlib</pre>", "machine path"),
    ('<a href="file:///home/ann/book/x.html">x</a>', "machine path"),
    (_output("".join(f" {i}0%|###   | {i}/10 [00:0{i}<00:01, 5.0it/s]\r" for i in range(6))),
     "progress-bar"),
])
def test_forbidden_text_finds(snippet, problem):
    problems = forbidden_text(CLEAN + snippet, checkout=Path("/srv/checkout"))
    assert any(problem in p for p in problems), problems


def test_forbidden_text_passes_a_clean_page():
    assert forbidden_text(CLEAN, checkout=Path("/srv/checkout")) == []


def test_console_errors_keep_site_errors_and_drop_offline_loads():
    entries = [
        {"level": "SEVERE", "source": "network", "message":
         "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js - Failed to load "
         "resource: net::ERR_NAME_NOT_RESOLVED"},
        {"level": "SEVERE", "source": "network", "message":
         "http://127.0.0.1:8000/_static/x.js - Failed to load resource: the server responded "
         "with a status of 404 (File not found)"},
        {"level": "SEVERE", "source": "javascript", "message":
         "http://127.0.0.1:8000/book/intro.html 12:3 Uncaught TypeError: x is undefined"},
        {"level": "SEVERE", "source": "network", "message":
         "http://127.0.0.1:8000/favicon.ico - Failed to load resource: the server responded "
         "with a status of 404 (File not found)"},
        {"level": "WARNING", "source": "console-api", "message": "something"},
    ]
    errors, offline = site_console_errors(entries)
    assert offline == ["https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js",
                       "http://127.0.0.1:8000/favicon.ico"]
    assert len(errors) == 2 and "404" in errors[0] and "TypeError" in errors[1]


def test_toc_pages_start_at_the_root_and_mark_notebooks():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    assert PAGES[0].file == toc["root"]
    files = [p.file for p in PAGES]
    assert len(files) == len(set(files))
    for page in PAGES:
        assert page.notebook == (ROOT / f"{page.file}.ipynb").exists()
    assert any(p.notebook for p in PAGES), "the TOC lists no chapter notebook"
