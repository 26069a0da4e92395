"""The book's editions: a language switch on every page, and what a translated build needs.

The English book is built into ``_build/html/``, each translation into a folder named by its
language (``_build/html/ko/``) from the same sources and Sphinx's gettext catalogs (see
book/translations.py). This extension, loaded by every build:

* puts a language switch at the top of every page, to the same page in each other edition,
  and ``<link rel="alternate" hreflang>`` tags in its head;
* lets a translated paragraph use ``{glue:text}`` roles: Sphinx parses a translation in a
  fresh document that has none of the notebook's glue data, so the role is turned into its
  cross-document form, which reads the data the notebook's execution wrote; keeps a
  translated title that starts with a number a title; translates the captions of the table
  of contents, which sphinx-external-toc adds after Sphinx has translated the page;
* in a translated build, translates the words a notebook glues into its text (a date, a
  model's name) through the catalog ``glue.po``, points the Colab badges at the translated
  notebook, and writes that notebook (book/_ext/translate_notebook.py) where the download
  button and the Colab link find it: ``<edition>/_sources/<page>.ipynb``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
from babel.messages.pofile import read_po
from docutils import nodes
from myst_nb.sphinx_ import Parser
from myst_parser.parsers.sphinx_ import MystParser
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.i18n import docname_to_domain
from translate_notebook import translate_notebook

# A same-document glue role: {glue:text}`key` or {glue:text}`key:format`, not `doc::key`.
GLUE = re.compile(r"\{glue:text\}`(?![^`]*::)([^`]+)`")
COLAB = "https://colab.research.google.com/github/"


def translated_source(text: str, page: str) -> str:
    """A translated message as the parser should read it.

    * Glue roles take the cross-page form: Sphinx parses a translation as a document of its
      own, which has none of the notebook's glue data (``page`` is the notebook's path).
    * A title that starts with a number (``1. 세 게이트``) keeps it as text: Sphinx hands a
      title over as ``title`` underlined with ``=``, which Markdown would read as a list."""
    if page.endswith(".ipynb"):
        text = GLUE.sub(lambda m: cross_page_glue(page, m[1]), text)
    if re.search(r"\n=+\Z", text):
        text = re.sub(r"\A(\d+)\.(?= )", r"\1\\.", text)
    return text


class ReadsTranslations:
    """A parser mixin: a translated message is read through :func:`translated_source`."""

    def parse(self, inputstring: str, document: nodes.document) -> None:
        if document.current_source.endswith("<translated>"):
            env = document.settings.env
            page = "/" + env.doc2path(env.docname, base=False)
            inputstring = translated_source(inputstring, page)
        super().parse(inputstring, document)


class TranslatedNotebookParser(ReadsTranslations, Parser):
    """MyST-NB's notebook parser (the chapters), reading translations."""


class TranslatedMarkdownParser(ReadsTranslations, MystParser):
    """MyST's Markdown parser (the ``.md`` pages), reading translations."""


class TranslatedToctreeCaptions(SphinxTransform):
    """sphinx-external-toc inserts the table of contents (priority 100) after Sphinx has
    translated the page (priority 20), so its captions ("Chapters") are translated here,
    from the same catalog."""

    default_priority = 101

    def apply(self, **kwargs: object) -> None:
        if language(self.app) == root_edition(self.app):
            return
        dirs = [str(Path(self.env.srcdir) / d) for d in self.config.locale_dirs]
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        catalog, found = init_locale(dirs, self.config.language, domain)
        if not found:
            return
        for toctree in self.document.findall(addnodes.toctree):
            if toctree.get("caption"):
                toctree["caption"] = toctree["rawcaption"] = catalog.gettext(toctree["caption"])


def cross_page_glue(page: str, content: str) -> str:
    """``{glue:text}`key[:format]``` of ``page`` in the cross-page form. The role splits its
    format at the last colon before it looks for ``::``, so a key without a format gets
    the role's default one, ``s``."""
    if ":" not in content:
        content += ":s"
    return f"{{glue:text}}`{page}::{content}`"


def root_edition(app: Sphinx) -> str:
    """The language of the edition at the site's root (the first of ``book_editions``)."""
    return next(iter(app.config.book_editions))


def language(app: Sphinx) -> str:
    """This build's language; the root edition's when ``language`` is unset."""
    return app.config.language or root_edition(app)


def edition_href(pagename: str, here: str, there: str, root: str) -> str:
    """The relative link from ``pagename`` of edition ``here`` to the same page of edition
    ``there``; the ``root`` edition lies at the site's root, each other in its folder."""
    up = "../" * pagename.count("/")
    if here != root:
        up += "../"
    folder = "" if there == root else f"{there}/"
    return f"{up}{folder}{pagename}.html"


def add_language_switch(app: Sphinx, pagename: str, templatename: str, context: dict,
                        doctree: nodes.document | None) -> None:
    """The switch at the top of the page's body and the alternate links in its head."""
    here, root = language(app), root_edition(app)
    links, tags = [], []
    for code, label in app.config.book_editions.items():
        href = html.escape(edition_href(pagename, here, code, root))
        tags.append(f'<link rel="alternate" hreflang="{code}" href="{href}" />')
        if code == here:
            links.append(f'<strong lang="{code}" aria-current="page">{html.escape(label)}'
                         "</strong>")
        else:
            links.append(f'<a class="language-switch-link" href="{href}" hreflang="{code}" '
                         f'lang="{code}">{html.escape(label)}</a>')
    switch = (f'<nav class="language-switch" aria-label="Language / 언어" '
              f'style="text-align: right; font-size: 0.9em;">{" · ".join(links)}</nav>\n')
    context["metatags"] = context.get("metatags", "") + "\n".join(tags) + "\n"
    if "body" in context:
        context["body"] = switch + context["body"]


def colab_url(app: Sphinx, docname: str) -> str:
    """Where this build's launch button opens ``docname`` in Colab (sphinx-book-theme's rule:
    ``repository_branch`` and ``path_to_docs`` of html_theme_options)."""
    options = app.config.html_theme_options
    repo = options["repository_url"].rstrip("/").removeprefix("https://github.com/")
    folder = options.get("path_to_docs", "").strip("/")
    folder = f"{folder}/" if folder else ""
    return f"{COLAB}{repo}/blob/{options['repository_branch']}/{folder}{docname}.ipynb"


class TranslatedColabLinks(SphinxPostTransform):
    """In a translated build, a Colab badge that opens this page's English notebook opens
    the translated notebook instead."""

    default_priority = 900

    def run(self, **kwargs: object) -> None:
        if language(self.app) == root_edition(self.app):
            return
        docname = self.env.path2doc(self.document["source"])
        for ref in self.document.findall(nodes.reference):
            uri = ref.get("refuri", "")
            if uri.startswith(COLAB) and uri.endswith(f"/{docname}.ipynb"):
                ref["refuri"] = colab_url(self.app, docname)


class TranslatedGluedWords(SphinxPostTransform):
    """In a translated build, a glued text that shows words gets its translation from
    ``glue.po`` (context: the page). Runs after myst-nb fills in the glued values."""

    default_priority = 50

    def run(self, **kwargs: object) -> None:
        if language(self.app) == root_edition(self.app):
            return
        catalog = glue_catalog(self.app)
        docname = self.env.path2doc(self.document["source"])
        for node in list(self.document.findall(nodes.inline)):
            text = node.astext()
            if "pasted-text" in node["classes"] and (docname, text) in catalog:
                node.replace_self(nodes.inline(text, catalog[docname, text],
                                               classes=node["classes"]))


def glue_catalog(app: Sphinx) -> dict[tuple[str, str], str]:
    """``(page, English text) -> translation`` of this build's ``glue.po``."""
    if not hasattr(app, "_glued_words"):
        path = catalog_path(app, "glue")
        app._glued_words = {}
        if path.is_file():
            with path.open("rb") as f:
                app._glued_words = {(m.context, m.id): m.string for m in read_po(f)
                                    if m.id and m.string and not m.fuzzy}
    return app._glued_words


def catalog_path(app: Sphinx, docname: str) -> Path:
    """The gettext catalog of ``docname`` in this build's language."""
    locale = Path(app.srcdir) / app.config.locale_dirs[0]
    return locale / language(app) / "LC_MESSAGES" / f"{docname}.po"


def write_translated_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """After a translated HTML build, each notebook page's ``_sources/<page>.ipynb`` (what
    the download button gives and the Colab link opens) becomes the translated notebook."""
    if exception is not None or app.builder.format != "html":
        return
    if language(app) == root_edition(app):
        return
    for docname in sorted(app.env.found_docs):
        source = Path(app.env.doc2path(docname))
        if source.suffix != ".ipynb":
            continue
        with catalog_path(app, docname).open("rb") as f:
            catalog = read_po(f)
        translations = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
        notebook = nbformat.read(source, as_version=4)
        translated, _ = translate_notebook(notebook, translations,
                                           colab=(COLAB, colab_url(app, docname)))
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(translated, target)


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_editions", {"en": "English"}, "html", dict)
    app.add_source_parser(TranslatedNotebookParser, override=True)
    app.add_source_parser(TranslatedMarkdownParser, override=True)
    app.add_transform(TranslatedToctreeCaptions)
    app.add_post_transform(TranslatedColabLinks)
    app.add_post_transform(TranslatedGluedWords)
    app.connect("html-page-context", add_language_switch)
    app.connect("build-finished", write_translated_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
