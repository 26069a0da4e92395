"""Helpers for tests/test_site.py: the pages the TOC lists, a local static server, a headless
Chromium, and scanners for text a reader must never see in a built page.

The scanners are plain functions of HTML text, so tests/test_site.py checks them on small
examples even where no browser or no build is available.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book"))
from translations import edition_config

# The built site; RNNLIB_SITE_DIR checks a build made elsewhere (--path-output).
HTML_DIR = Path(os.environ.get("RNNLIB_SITE_DIR") or ROOT / "_build" / "html")
# Where the offline copy of MathJax 3 is served from by the test server (see serve()).
MATHJAX_ROUTE = "/__offline_mathjax__/"


# --------------------------------------------------------------------------------------
# What the book holds: the TOC and the launch settings in _config.yml
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    """One page of the book as the TOC lists it.

    Attributes:
        file: the TOC entry, e.g. ``notebooks/01_why_rnns`` or ``book/intro``.
        notebook: whether the page is built from an ``.ipynb`` (then it has launch buttons).
    """

    file: str
    notebook: bool

    @property
    def html_path(self) -> str:
        """The page's path below ``_build/html``."""
        return f"{self.file}.html"

    @property
    def name(self) -> str:
        """A short name for ids and screenshot files, e.g. ``notebooks-01_why_rnns``."""
        return self.file.replace("/", "-")


def _toc_entries(node: object) -> Iterator[str]:
    """Every ``file:`` in a _toc.yml subtree (parts, chapters and nested sections)."""
    if isinstance(node, dict):
        if "file" in node:
            yield str(node["file"])
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []) or []:
                yield from _toc_entries(child)


def toc_pages(root: Path = ROOT) -> list[Page]:
    """The pages _toc.yml lists, root first, in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = [str(toc["root"]), *_toc_entries(toc)]
    pages = []
    for file in dict.fromkeys(f.removesuffix(".ipynb").removesuffix(".md") for f in files):
        pages.append(Page(file=file, notebook=(root / f"{file}.ipynb").exists()))
    return pages


@dataclass(frozen=True)
class Launch:
    """The launch targets that _config.yml (or a translated edition's) asks for."""

    owner_repo: str  # e.g. "rnn-forecasting/rnn-timeseries-book"
    branch: str
    binderhub: str  # e.g. "https://mybinder.org"; "" for no Binder button
    folder: str = ""  # the notebooks' folder on that branch, e.g. "ko/_sources/"

    def colab(self, notebook_path: str) -> str:
        """The exact Colab link of a notebook, e.g. ``notebooks/01_why_rnns.ipynb``."""
        return (f"https://colab.research.google.com/github/{self.owner_repo}/blob/"
                f"{self.branch}/{self.folder}{notebook_path}")

    def binder_prefix(self) -> str:
        """How every Binder link of the book starts."""
        return f"{self.binderhub}/v2/gh/{self.owner_repo}/{self.branch}?urlpath="


def launch_settings(root: Path = ROOT, edition: str | None = None) -> Launch:
    """Read repository url, branch and BinderHub url from _config.yml, or from the
    configuration of the translated ``edition`` (book/translations.py)."""
    if edition is None:
        config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    else:
        config = yaml.safe_load(edition_config(edition))
    url = config["repository"]["url"].rstrip("/")
    owner_repo = url.removeprefix("https://github.com/")
    binderhub = (config.get("launch_buttons") or {}).get("binderhub_url", "https://mybinder.org")
    folder = config["repository"].get("path_to_book", "").strip("/")
    return Launch(owner_repo=owner_repo, branch=config["repository"].get("branch", "main"),
                  binderhub=binderhub.rstrip("/"), folder=f"{folder}/" if folder else "")


# --------------------------------------------------------------------------------------
# Scanners: what must never reach a reader
# --------------------------------------------------------------------------------------
_TRACEBACK = re.compile(
    r"Traceback \(most recent call last\)"
    # the rule IPython prints above an exception's name
    r"|-{70,}\s*\n\s*[\w.]*(?:Error|Exception|Interrupt|Exit)\b"
)
_IPYTHON_CELL_REF = re.compile(r"\bCell In\s?\[\d*\], line \d+")
_ERROR_CLASSES = re.compile(r'class="[^"]*\b(traceback|output stderr|output error)\b')
# Absolute paths of a build machine. The lookbehind keeps URLs such as
# https://example.org/home/ out, while file:///home/... and a space before /root are caught.
_MACHINE_PATH = re.compile(r"(?<![\w.\-])/(root|home|tmp|Users)/|[A-Za-z]:\\\\?Users\\")
# One refresh of a tqdm-like bar: " 40%|####      | 4/10 [00:01<00:02, 3.1it/s]".
_BAR = re.compile(r"\d{1,3}%\|[^|\n]{0,200}\||\d+/\d+ \[\d+:\d\d<|\d(?:\.\d+)?(?:it|s)/(?:s|it)\]")
MAX_BAR_LINES = 3  # a finished bar or two may stay; a run of refreshes may not


class _OutputText(HTMLParser):
    """Collects the text of every ``<div class="cell_output ...">`` (myst-nb's markup)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.outputs: list[str] = []
        self._depth = 0  # nesting of <div> inside the current output; 0 = outside
        self._skip = 0  # inside <style> or <script>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        if tag != "div":
            return
        if self._depth:
            self._depth += 1
        elif "cell_output" in (dict(attrs).get("class") or "").split():
            self._depth = 1
            self.outputs.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)
        elif tag == "div" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth and not self._skip:
            self.outputs[-1] += data


class _Images(HTMLParser):
    """Every ``<img>`` of a page's article, with its alt text, whether it sits in a link
    (a badge or button) and the caption of the ``<figure>`` around it, if any."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[dict] = []
        self._figures: list[list[dict]] = []  # images of each open <figure>
        self._links = 0
        self._caption: list[str] | None = None  # text of the open <figcaption>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "figure":
            self._figures.append([])
        elif tag == "a":
            self._links += 1
        elif tag == "figcaption":
            self._caption = []
        elif tag == "img":
            image = {"src": a.get("src") or "", "alt": (a.get("alt") or "").strip(),
                     "in_link": self._links > 0, "caption": ""}
            self.images.append(image)
            if self._figures:
                self._figures[-1].append(image)

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure" and self._figures:
            self._figures.pop()
        elif tag == "a":
            self._links = max(0, self._links - 1)
        elif tag == "figcaption" and self._caption is not None:
            caption = " ".join("".join(self._caption).split())
            for image in self._figures[-1] if self._figures else []:
                image["caption"] = caption
            self._caption = None

    def handle_data(self, data: str) -> None:
        if self._caption is not None:
            self._caption.append(data)


def page_images(page_html: str) -> list[dict]:
    """The images of a built page's article (``<article class="bd-article">``): dicts with
    ``src``, ``alt``, ``in_link`` (a badge or button, not a figure) and ``caption`` (the
    text of the enclosing ``<figure>``'s ``<figcaption>``, "" when there is none)."""
    start = page_html.find('<article class="bd-article"')
    end = page_html.find("</article>", start)
    parser = _Images()
    parser.feed(page_html[start:end] if start >= 0 else page_html)
    parser.close()
    return parser.images


def cell_output_texts(page_html: str) -> list[str]:
    """Plain text of every notebook cell output in a built page."""
    parser = _OutputText()
    parser.feed(page_html)
    parser.close()
    return parser.outputs


def forbidden_text(page_html: str, checkout: Path = ROOT) -> list[str]:
    """Problems a reader would see in a built page; an empty list when it is clean.

    Looks for error output and tracebacks, unrendered roles such as ``{glue:text}`key```,
    the Colab install cell, widget JSON, absolute
    paths of the build machine (including ``checkout``, the repository's own absolute path)
    and runs of progress-bar refreshes.
    """
    problems = []
    if (m := _ERROR_CLASSES.search(page_html)):
        problems.append(f"error/stderr output block (class {m.group(1)!r})")
    outputs = cell_output_texts(page_html)
    for text in outputs:
        if (m := _TRACEBACK.search(text)):
            problems.append(f"traceback text in a cell output: {_snippet(text, m.group(0))}")
        if (m := _IPYTHON_CELL_REF.search(text)):
            problems.append(f"IPython traceback reference in a cell output: {m.group(0)!r}")
    if (m := re.search(r"\{(?:glue|term|numref|cite|doc)(?::\w+)?\}`", page_html)):
        problems.append(f"an unrendered MyST role: {_snippet(page_html, m.group(0))}")
    if "google.colab" in page_html:
        problems.append("the Colab install cell is shown (tag it remove-cell)")
    if "application/vnd.jupyter.widget" in page_html:
        problems.append("Jupyter widget JSON (application/vnd.jupyter.widget...) in the page")
    home = str(checkout.resolve())
    if len(home) > 1 and home in page_html:
        problems.append(f"the checkout's absolute path: {_snippet(page_html, home)}")
    if (m := _MACHINE_PATH.search(page_html)):
        problems.append(f"an absolute machine path: {_snippet(page_html, m.group(0))}")
    text = "\n".join(outputs)
    bars = _BAR.findall(text.replace("\r", "\n"))
    if len(bars) > MAX_BAR_LINES:
        problems.append(f"{len(bars)} progress-bar refreshes in the cell outputs, e.g. {bars[:2]}")
    if "\r" in text or "&#13;" in page_html:
        problems.append("carriage returns (progress-bar refreshes) in the cell outputs")
    return problems


def _snippet(text: str, needle: str, width: int = 60) -> str:
    i = text.find(needle)
    return repr(text[max(0, i - width): i + len(needle) + width])


def is_external(url: str) -> bool:
    """Whether a URL points away from the local test server (and so cannot load offline)."""
    host = urlsplit(url).hostname
    return bool(host) and host not in ("127.0.0.1", "localhost")


_FAILED_LOAD = re.compile(r"^(\S+) - Failed to load resource: (.*)$")


def site_console_errors(entries: list[dict]) -> tuple[list[str], list[str]]:
    """Split SEVERE browser-log entries into (errors of the site, expected offline failures).

    A failed load of an external resource (a CDN, a badge image) is expected with no
    network, and so is the 404 of ``/favicon.ico``, which the browser asks for by itself
    when a page names no icon; everything else of level SEVERE, including any other failed
    load from the local server (a 404 of a page's own file), is an error of the site.
    """
    errors, offline = [], []
    for entry in entries:
        if entry.get("level") != "SEVERE":
            continue
        message = str(entry.get("message", ""))
        m = _FAILED_LOAD.match(message)
        if entry.get("source") == "network" and m and (
                (is_external(m.group(1)) and m.group(2).startswith("net::ERR_"))
                or (urlsplit(m.group(1)).path == "/favicon.ico" and "404" in m.group(2))):
            offline.append(m.group(1))
        else:
            errors.append(message)
    return errors, offline


# --------------------------------------------------------------------------------------
# Serving the site and driving a browser
# --------------------------------------------------------------------------------------
def offline_mathjax_dir() -> Path | None:
    """The es5 folder of a local MathJax 3 (the ``django-static-mathjax`` wheel), if any."""
    with contextlib.suppress(ImportError):
        import mathjax  # the wheel's package: only static files

        for base in getattr(mathjax, "__path__", []):
            es5 = Path(base) / "static" / "mathjax" / "es5"
            if (es5 / "tex-mml-chtml.js").is_file():
                return es5
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    mathjax_dir: Path | None = None

    def log_message(self, format: str, *args: object) -> None:
        pass

    def translate_path(self, path: str) -> str:
        if self.mathjax_dir is not None and path.startswith(MATHJAX_ROUTE):
            rel = path[len(MATHJAX_ROUTE):].split("?", 1)[0].split("#", 1)[0]
            target = (self.mathjax_dir / rel).resolve()
            if target.is_relative_to(self.mathjax_dir.resolve()):
                return str(target)
        return super().translate_path(path)


@contextlib.contextmanager
def serve(directory: Path, mathjax_dir: Path | None = None) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 at a free port; yields the base URL (ending in /).

    When ``mathjax_dir`` is given, its files are served below ``MATHJAX_ROUTE`` as well.
    """
    handler = type("Handler", (_QuietHandler,), {"mathjax_dir": mathjax_dir})
    factory = functools.partial(handler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), factory)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def find_chromium() -> tuple[str | None, str | None]:
    """Paths of Debian's chromium and chromedriver (None where missing)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if driver is None and Path("/usr/bin/chromedriver").exists():
        driver = "/usr/bin/chromedriver"
    return browser, driver


CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1280,1000",
    # Every host but the local server fails at once, as on a machine without network,
    # so the test behaves the same offline, in CI and on a laptop that is online.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


@contextlib.contextmanager
def chromium(browser: str, driver_path: str) -> Iterator[object]:
    """A headless Chromium driven by Selenium, with a fresh profile; yields the driver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="rnnlib-site-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for arg in (*CHROMIUM_ARGS, f"--user-data-dir={profile}"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(executable_path=driver_path),
                                  options=options)
        try:
            driver.set_page_load_timeout(60)
            driver.set_script_timeout(60)
            yield driver
        finally:
            driver.quit()


def save_screenshots(driver: object, folder: Path, name: str,
                     max_height: int = 16000) -> list[Path]:
    """Save ``NAME.png`` (the first screen) and ``NAME-full.png`` (the whole page).

    The whole page is taken by making the window as tall as the page (up to
    ``max_height`` CSS pixels), so the layout is the one a reader scrolls through.
    """
    folder.mkdir(parents=True, exist_ok=True)
    first = folder / f"{name}.png"
    driver.save_screenshot(str(first))
    size = driver.get_window_size()
    height = driver.execute_script(
        "return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight);")
    full = folder / f"{name}-full.png"
    try:
        driver.set_window_size(size["width"], min(int(height) + 100, max_height))
        driver.save_screenshot(str(full))
    finally:
        driver.set_window_size(size["width"], size["height"])
    return [first, full]
