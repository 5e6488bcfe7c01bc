r"""Text from the ontology or a user made safe for Markdown, HTML and plain-text tooltips (stdlib only).

Every label, synonym, definition, case field or message that the app shows passes through one of
these functions, so it is displayed as the text it is and never interpreted: no Markdown link or
image (which would fetch from the network), no HTML, no LaTeX, no Streamlit colour directive.

Examples
--------
>>> print(markdown_text("![x](/p.png) <b>$x$</b>"))
\!\[x\]\(\/p\.png\) \<b\>\$x\$\<\/b\>
>>> html_text('<img src=x onerror="alert(1)">')
'&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
>>> "href" in tooltip_text('see <a href="x">')
False
"""

from __future__ import annotations

import html
import re
import string

__all__ = ["markdown_text", "html_text", "tooltip_text", "one_line", "for_terminal"]

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_HREF = re.compile(r"(h)(r)(e)(f)", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# GitHub-flavoured Markdown turns bare "http://...", "www...." and e-mail addresses into links after
# parsing, so escaping cannot stop it; a zero-width space after the trigger does.
_AUTOLINK = re.compile(r"(https?|ftp|mailto|www|@)([:.]?)", re.IGNORECASE)


#: what a terminal may act on: C0 controls but newline and tab, DEL, C1 controls, bidirectional overrides
_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def for_terminal(text: str) -> str:
    r"""``text`` with every character a terminal would act on shown as its escape (``\x1b``).

    Examples
    --------
    >>> print(for_terminal("case \x1b[31mred\u202e\nnext"))
    case \x1b[31mred\u202e
    next
    """
    return _TERMINAL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def one_line(text: object) -> str:
    r"""``text`` as one line: control characters dropped, runs of whitespace folded to one space.

    Examples
    --------
    >>> one_line("two\n\tlines ")
    'two lines'
    """
    return _SPACE.sub(" ", _CONTROL.sub("", str(text))).strip()


def markdown_text(text: object) -> str:
    r"""``text`` escaped for Markdown (Streamlit's flavour): one line, every ASCII punctuation escaped.

    CommonMark lets any ASCII punctuation be escaped with a backslash, which turns off links,
    images, emphasis, headings, lists, tables, raw HTML, ``$`` maths and ``:colour[...]``
    directives at once.  Bare URLs and e-mail addresses, which GitHub-flavoured Markdown links
    after parsing, get a zero-width space after their scheme, ``www`` or ``@``.

    Examples
    --------
    >>> print(markdown_text("# *Fever* [1]"))
    \# \*Fever\* \[1\]
    >>> "\u200b" in markdown_text("www.example.org")  # no automatic link
    True
    """
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub("\\1\u200b\\2", one_line(text)))


def html_text(text: object) -> str:
    """``text`` escaped for HTML element content and quoted attribute values.

    Examples
    --------
    >>> html_text("a < b & 'c'")
    'a &lt; b &amp; &#x27;c&#x27;'
    """
    return html.escape(_CONTROL.sub("", str(text)), quote=True)


def tooltip_text(text: object) -> str:
    r"""``text`` for a vis-network tooltip, which shows a string with ``innerText`` (as plain text).

    pyvis switches *every* node tooltip to raw HTML (``innerHTML``) as soon as one title contains
    the substring ``href``; a zero-width space inside any ``href`` keeps that switch off.  Nothing
    else is changed, because the tooltip already shows text as text (HTML-escaping it would show
    ``&lt;`` to the reader).

    Examples
    --------
    >>> tooltip_text("Href <a>") == "Hr\u200bef <a>"
    True
    """
    return _HREF.sub("\\1\\2\u200b\\3\\4", _CONTROL.sub("", str(text)))
