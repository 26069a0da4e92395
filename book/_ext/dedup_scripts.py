"""Write each <script> of a page once (a workaround for Sphinx 7.x).

Sphinx 7.4 keeps an inline script that an extension adds after the builder has started
twice (once with filename None, once with ''), so sphinx-thebe's
``const THEBE_JS_URL = ...`` is declared twice on every page and browsers report
"Identifier 'THEBE_JS_URL' has already been declared". Sphinx 8 fixes it
(sphinx-doc/sphinx#13402), but Jupyter Book 1.x requires Sphinx 7.
"""

from __future__ import annotations


def _unique_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        key = (str(getattr(script, "filename", script) or ""),
               tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):
    app.connect("html-page-context", _unique_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
