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

__all__ = ["markdown_text", "markdown_file_text", "html_text", "tooltip_text", "one_line", "for_terminal"]

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


#: the characters that can start Markdown markup in the middle of a line (CommonMark and GitHub's extensions)
_MARKUP = re.compile(r"([\\`*\[\]<>|~$&#]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z]))")
#: what opens a block only at the start of a line: a list item, a quote, a heading, a setext underline
_LINE_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)|^([-+])(?=\s|$)|^([-=])(?=[-=\s]*$)")


def markdown_file_text(text: object) -> str:
    r"""``text`` escaped for a Markdown file that people also read as text: one line, and only the
    characters that could start markup escaped (emphasis, code, links, images, HTML, tables,
    strike-through, maths, entities, and a list or heading marker at the start).

    The result renders as the text it is in CommonMark and GitHub-flavoured Markdown, like
    :func:`markdown_text`, without a backslash before every full stop and hyphen.

    Examples
    --------
    >>> print(markdown_file_text("Duffy-null (Fy(a-b-)): ANC 700/µL, 1. <b>*x*</b> [1](y)"))
    Duffy-null (Fy(a-b-)): ANC 700/µL, 1. \<b\>\*x\*\</b\> \[1\](y)
    >>> print(markdown_file_text("1. first"), markdown_file_text("- item"), markdown_file_text("38.9 C, a_b _c_"))
    1\. first \- item 38.9 C, a_b \_c\_
    """
    escaped = _MARKUP.sub(r"\\\1", _AUTOLINK.sub("\\1\u200b\\2", one_line(text)))
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3] or m[4]}", escaped)


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
