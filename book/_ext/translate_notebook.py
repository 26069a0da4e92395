"""A translated copy of a chapter notebook, made from its gettext catalog.

Sphinx translates a page message by message (a paragraph, a heading, a list item, a table
cell, a caption, an alt text); a message's id is the Markdown source of that piece with its
line breaks turned into spaces. To give Colab and the download button a notebook in the
reader's language, each markdown cell is parsed with MyST's Markdown parser, every piece
whose source is a message is replaced in place by its translation, and directives
(``{exercise}``, ``{figure}``, ...) are translated inside. Code cells are copied unchanged.
"""

from __future__ import annotations

import copy
import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

EXTENSIONS = {"amsmath", "dollarmath", "colon_fence", "deflist"}
DIRECTIVE = re.compile(r"\{([\w:-]+)\}\s*(.*)")
OPTION = re.compile(r":([\w-]+):\s*(.*)")


@cache
def _parser() -> MarkdownIt:
    return create_md_parser(MdParserConfig(enable_extensions=EXTENSIONS), RendererHTML)


def message_id(source: str) -> str:
    """A piece's message id, as Sphinx's gettext builder writes it."""
    return source.replace("\n", " ").strip()


def _directive_body(lines: list[str], tr: dict[str, str], used: set[str]) -> list[str]:
    """A directive's content lines: ``:alt:`` options and the Markdown below the options."""
    out = []
    for index, line in enumerate(lines):
        option = OPTION.fullmatch(line.strip())
        if option is None:
            rest = "\n".join(lines[index:])
            return out + translate_markdown(rest, tr, used).split("\n")
        value = option[2]
        if option[1] == "alt" and value in tr:
            used.add(value)
            line = line.replace(value, tr[value], 1)
        out.append(line)
    return out


def translate_markdown(text: str, tr: dict[str, str], used: set[str]) -> str:
    """``text`` with every piece whose message id is in ``tr`` replaced by its translation;
    the ids used are added to ``used``."""
    lines = text.split("\n")
    tokens = _parser().parse(text)
    edits: list[tuple[int, int, list[str]]] = []  # [start, end) lines -> new lines
    alts = set()  # image alt texts: messages of their own (the Colab badge's)
    cell_offsets: dict[int, int] = {}  # table row line -> where the next cell is searched
    for index, token in enumerate(tokens):
        alts |= {c.content for c in token.children or () if c.type == "image" and c.content in tr}
        if token.type == "inline" and token.map and message_id(token.content) in tr:
            msgid = message_id(token.content)
            start, end = token.map
            opener = tokens[index - 1].type
            if opener in ("th_open", "td_open"):
                line = lines[start]
                at = line.find(token.content, cell_offsets.get(start, 0))
                if at < 0:
                    continue
                lines[start] = line[:at] + tr[msgid] + line[at + len(token.content):]
                cell_offsets[start] = at + len(tr[msgid])
                used.add(msgid)
                continue
            first = token.content.split("\n")[0]
            at = lines[start].find(first)
            if at < 0:
                continue
            edits.append((start, end, [lines[start][:at] + tr[msgid]]))
            used.add(msgid)
        elif token.type in ("fence", "colon_fence") and token.map and token.nesting == 0:
            directive = DIRECTIVE.fullmatch(token.info.strip())
            start, end = token.map
            if directive is None or end - start < 2:
                continue
            head = lines[start]
            argument = directive[2].strip()
            if argument and argument in tr:
                used.add(argument)
                head = head.replace(argument, tr[argument], 1)
            body = _directive_body(lines[start + 1:end - 1], tr, used)
            edits.append((start, end, [head, *body, lines[end - 1]]))
    for start, end, new in sorted(edits, reverse=True):
        lines[start:end] = new
    text = "\n".join(lines)
    for alt in alts:
        used.add(alt)
        text = text.replace(f"![{alt}](", f"![{tr[alt]}](")
    return text


def translate_notebook(notebook: dict, tr: dict[str, str], colab: tuple[str, str] | None = None
                       ) -> tuple[dict, set[str]]:
    """A translated copy of ``notebook`` (an nbformat v4 node) and the message ids it used.

    Markdown cells are translated by :func:`translate_markdown`, the captions and alt texts
    of the cells' ``mystnb`` metadata by the catalog; ``colab=(prefix, url)`` points every
    link that starts with ``prefix`` and ends in ``.ipynb`` (the chapter's Colab badge) at
    ``url``, the translated notebook. Code cells and outputs are copied unchanged."""
    translated = copy.deepcopy(notebook)
    used: set[str] = set()
    for cell in translated.cells:
        if cell.cell_type == "markdown":
            source = translate_markdown(cell.source, tr, used)
            if colab is not None:
                prefix, url = colab
                source = re.sub(re.escape(prefix) + r"[^)\s\"]+\.ipynb", url, source)
            cell.source = source
        meta = cell.get("metadata", {}).get("mystnb", {})
        for owner, key in ((meta.get("figure"), "caption"), (meta.get("image"), "alt")):
            if owner and owner.get(key) in tr:
                used.add(owner[key])
                owner[key] = tr[owner[key]]
    return translated, used
