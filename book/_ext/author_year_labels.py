"""Bibliography labels in the form the text cites: [Elman, 1990], [Bengio et al., 1994].

sphinxcontrib-bibtex writes in-text citations author-year (``bibtex_reference_style:
author_year`` in _config.yml) but labels the reference list with pybtex's default
``alpha`` style (``[BSF94]``), so a reader cannot match one to the other. This extension
registers a pybtex style, ``author_year_labels``, whose labels are the in-text citation:
one author ``Last, year``, two ``Last and Last, year``, more ``First-author et al., year``
(a, b, ... after the year where two would be equal), and whose list is sorted by author,
year and title. _config.yml selects it with ``bibtex_default_style``.
"""

from __future__ import annotations

from collections import Counter
from string import ascii_lowercase

from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle


def _last(person) -> str:
    """'van Merriënboer' of 'van Merri{\\"e}nboer, Bart': plain text, LaTeX decoded."""
    return " ".join(str(p) for p in [*person.rich_prelast_names, *person.rich_last_names])


def _label(entry) -> str:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_last(p) for p in people]
    year = entry.fields.get("year", "n.d.")
    if not names:
        who = entry.fields.get("title", entry.key)
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {year}"


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [_label(e) for e in entries]
        counts, seen = Counter(labels), Counter()
        for label in labels:
            if counts[label] > 1:
                seen[label] += 1
                who, year = label.rsplit(", ", 1)
                label = f"{who}, {year}{ascii_lowercase[seen[label] - 1]}"
            yield label


class AuthorYearStyle(UnsrtStyle):
    default_label_style = AuthorYearLabels
    default_sorting_style = "author_year_title"


register_plugin("pybtex.style.labels", "author_year_labels", AuthorYearLabels)
register_plugin("pybtex.style.formatting", "author_year_labels", AuthorYearStyle)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
