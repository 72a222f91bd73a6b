"""Text cleaning shared by every format parser: HTML to text, mojibake repair, page furniture.

Format parsers (text and HTML pages, JSON/CSV records with HTML descriptions) call these before
building a RawRecord, so every later stage sees the posting's own plain text.
"""
from __future__ import annotations

import html as html_entities
import re
import unicodedata
from typing import NamedTuple, Optional

import ftfy
from selectolax.lexbor import LexborHTMLParser

# Deeper nesting than this is hostile or broken markup; lexbor's tree building is quadratic
# in the depth of unclosed block elements (200,000 nested <div> take minutes).
MAX_HTML_DEPTH = 1000

# Breaks found while walking the tree: a line break, a paragraph break, a list bullet and
# the end of a list item. Break runs are resolved on the walk's tokens (these codes between
# text pieces); the private-use characters spell the same tokens in one flat string, the
# form the resolution rules are written for (and the fallback for text holding them).
_LINE_BREAK, _PARAGRAPH_BREAK, _BULLET_MARK, _ITEM_END_MARK = 0, 1, 2, 3
_LINE = "\ue000"
_PARAGRAPH = "\ue001"
_BULLET = "\ue002"
_ITEM_END = "\ue003"
_MARK_CHARS = {_LINE_BREAK: _LINE, _PARAGRAPH_BREAK: _PARAGRAPH, _BULLET_MARK: _BULLET,
               _ITEM_END_MARK: _ITEM_END}

_DROPPED_TAGS = [
    "script", "style", "noscript", "template", "head", "svg", "iframe", "object", "embed",
    "canvas", "button", "select", "input", "textarea",
]
_PARAGRAPH_TAGS = (
    "p,h1,h2,h3,h4,h5,h6,table,blockquote,pre,section,article,header,footer,"
    "main,aside,nav,figure,form,fieldset,address,details"
)
# Lists break lines, not paragraphs, so a nested list stays inside its item.
_LINE_TAGS = "div,ul,ol,dl,tr,dt,dd,figcaption,summary,caption,hr,br"
_CELL_TAGS = "td,th"
_DROPPED_TAG_SET = frozenset(_DROPPED_TAGS)
# Tag -> (tokens before the element, tokens after it).
_MARKERS_OF_TAG = {
    **{tag: ((_PARAGRAPH_BREAK,), (_PARAGRAPH_BREAK,)) for tag in _PARAGRAPH_TAGS.split(",")},
    **{tag: ((), (_LINE_BREAK,)) for tag in _LINE_TAGS.split(",")},
    **{tag: ((), (" ",)) for tag in _CELL_TAGS.split(",")},
    "li": ((_LINE_BREAK, _BULLET_MARK), (_ITEM_END_MARK,)),
}
_NO_MARKERS = ((), ())
# Elements whose end tag may be omitted (HTML's implied end tags) or that never close: they
# do not deepen the tree however many follow each other.
_SHALLOW_TAGS = frozenset(
    "p li dt dd option optgroup tr td th thead tbody tfoot colgroup caption "
    "area base br col embed hr img input link meta param source track wbr html head body "
    "!doctype".split()
)
_TAG = re.compile(r"<(/?)([A-Za-z!][A-Za-z0-9:-]*)[^<>]*?(/?)>")

_ESCAPED_MARKUP = re.compile(r"&lt;/?(?:p|div|br|ul|ol|li|b|strong|em|i|h[1-6]|span|a)\b", re.I)
_REAL_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9]*[\s/>]")
# Zero-width characters, C0 controls other than line breaks and tabs, and lone surrogates
# (from JSON "\\ud800" escapes) that no Parquet writer can encode.
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f\u200b\u200c\u200d\u2060\ufeff\u00ad\ud800-\udfff]")
_BLANK_RUNS = re.compile(r"\n{3,}")
_MARKS = _LINE + _PARAGRAPH + _ITEM_END
_BULLET_THEN_BREAKS = re.compile(f"{_BULLET}[ {_MARKS}]+")
_BREAK_RUN = re.compile(f"[{_MARKS}][ {_MARKS}]*(?P<bullet>{_BULLET})?")

# UTF-8 read as Latin-1/cp1252 leaves a UTF-8 lead byte shown as a Latin-1 letter (Â..ô)
# followed by a continuation byte shown as a Latin-1 or cp1252 character ("Ã©", "â€™", "Å„").
# Searched in the UTF-8 bytes from the literal \xc3, where Python's regex engine skips ahead
# at C speed. Characters below Â are no lead byte: "\xa0\xa0" or "®’" are real text, and
# sending them to ftfy cost milliseconds per posting for nothing. Neither is French "é" or
# "à" before a no-break space ("électricité\xa0:"): a three-byte lead needs one more
# continuation after it to be mojibake.
_CONTINUATION_BYTES = (
    rb"\xc2[\x80-\xbf]|\xc5[\x92\x93\xa0\xa1\xb8\xbd\xbe]|\xc6\x92|\xcb[\x86\x9c]"
    rb"|\xe2\x80[\x93\x94\x98-\x9e\xa0-\xa2\xa6\xb0\xb9\xba]|\xe2\x82\xac|\xe2\x84\xa2"
)
_MOJIBAKE_HINT = re.compile(
    rb"\xc3(?:[\x82-\x9f\xb0-\xb4](?:" + _CONTINUATION_BYTES + rb")"
    rb"|[\xa0-\xaf](?:\xc2\xa0(?:" + _CONTINUATION_BYTES + rb")|(?!\xc2\xa0)(?:"
    + _CONTINUATION_BYTES + rb")))"
)
# The same bytes seen as characters: a UTF-8 lead byte (Â..ô) and 1-3 continuation bytes,
# decoded as Latin-1 (C1 controls) or cp1252 (€, ™, ’...).
_BYTE_OF_CHAR = {chr(byte): byte for byte in range(0x80, 0x100)}
_BYTE_OF_CHAR.update(
    {bytes([byte]).decode("cp1252"): byte for byte in range(0x80, 0xC0)
     if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
)
_CONTINUATION = "[" + "".join(
    sorted(char for char, byte in _BYTE_OF_CHAR.items() if 0x80 <= byte < 0xC0)) + "]"
# One leading character class (the lookbehinds then tell the sequence length) lets the regex
# engine skip to candidate lead characters; an alternation of classes is tried everywhere.
_MOJIBAKE_RUN = re.compile(
    f"[\u00c2-\u00f4](?:(?<=[\u00c2-\u00df]){_CONTINUATION}|(?<=[\u00e0-\u00ef]){_CONTINUATION}{{2}}"
    f"|(?<=[\u00f0-\u00f4]){_CONTINUATION}{{3}})"
)
# C1 controls left after repair are debris of a lost encoding, never text.
_C1_CONTROLS = re.compile("[\u0080-\u009f]")
_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"
_CAPITALS = bytes(range(0x41, 0x5B))
# Deleting these from UTF-8 text leaves its capitals, non-ASCII bytes and ASCII controls.
_PLAIN_ASCII_BUT_CAPITALS = bytes(byte for byte in _PLAIN_ASCII if byte not in _CAPITALS)
# U+0080..U+009F in UTF-8: after the lead byte \xc2 nothing else takes these bytes.
_C1_BYTES = re.compile(rb"\xc2[\x80-\x9f]")
# Searched as regexes: a literal pattern skips to its first byte in a tight C loop, about
# twice as fast as `in` on text where that byte is common (spaces).
_DOUBLE_SPACE = re.compile(b"  ")
_BLANK_LINES = re.compile(b"\n\n\n")
# Only complete entities: html.unescape alone would turn "&parameter" into "¶meter".
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _nfc_stable_ranges() -> str:
    """Regex ranges of the non-ASCII characters common in postings (Latin letters, punctuation,
    symbols, emoji) that are starters (combining class 0) and their own NFC: text made of
    these and ASCII is NFC without asking unicodedata, which checks every character of the
    text (a few microseconds a posting). None of them composes with a character before it
    (tests/test_clean.py checks that against the Unicode data)."""
    blocks = ((0x80, 0x2FF), (0x2010, 0x205E), (0x20A0, 0x20CF), (0x2100, 0x214F),
              (0x2190, 0x23FF), (0x2460, 0x27BF), (0x2B00, 0x2BFF), (0xE000, 0xF8FF),
              (0xFE00, 0xFE0F), (0xFFFD, 0xFFFD), (0x1F000, 0x1FAFF))
    ranges, start, last = [], None, None
    for low, high in blocks:
        for code in range(low, high + 1):
            char = chr(code)
            if unicodedata.combining(char) or unicodedata.normalize("NFC", char) != char:
                continue
            if start is not None and code == last + 1:
                last = code
                continue
            if start is not None:
                ranges.append(f"{chr(start)}-{chr(last)}")
            start = last = code
    ranges.append(f"{chr(start)}-{chr(last)}")
    return "".join(ranges)


# A character that may make text non-NFC (or that this shortcut does not know).
_MAY_DENORMALIZE = re.compile(f"[^\x00-\x7f{_nfc_stable_ranges()}]")
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,  # "What’s" is what the employer wrote; only mojibake is an error
    fix_character_width=False,  # full-width forms are legitimate in Japanese postings
    normalization="NFC",
    explain=False,
)


class RepairedText(NamedTuple):
    """A repaired text and, when the repair proved it plain, what later scans of the same text
    reuse instead of encoding and searching it again (salary markers, the content hash).

    A plain text holds printable characters and runs of one or two "\\n" only: no tabs, CRs,
    controls or other whitespace, no space next to a line break, no double space, no
    whitespace at either end. Both by-products are None when the repair took the general
    path (and for an empty input).
    """

    text: str
    utf8: Optional[bytes]  # text.encode("utf-8")
    capitals_and_non_ascii: Optional[bytes]  # utf8 with every other ASCII byte deleted


class HtmlTooDeep(ValueError):
    """Markup nested deeper than MAX_HTML_DEPTH: callers reject the record as "html_too_deep"."""


def looks_like_html(text: str) -> bool:
    """True when `text` carries HTML markup (tags, or tags escaped as entities)."""
    if "<" in text and _REAL_MARKUP.search(text):
        return True
    # One character is found with memchr; "&lt;" costs a slower substring search.
    return "&" in text and "&lt;" in text and _ESCAPED_MARKUP.search(text) is not None


def is_clean_line(text: str) -> bool:
    """True when `text` is one line that repair_text leaves as it is and that holds no
    whitespace but single spaces inside it: printable, nothing to unescape, no mojibake, NFC.
    Titles, employers and places mostly are; proving it is cheaper than repairing them."""
    if not (text and text.isprintable() and "&" not in text and text[0] != " "
            and text[-1] != " " and "  " not in text):
        return False
    # A printable text has no surrogates to encode, and no whitespace but " ".
    return text.isascii() or (_MAY_DENORMALIZE.search(text) is None
                              and _MOJIBAKE_HINT.search(text.encode("utf-8")) is None)


def html_nesting_depth(html: str, limit: int = MAX_HTML_DEPTH) -> int:
    """Upper bound of the element nesting depth, scanning tags linearly; stops past `limit`.

    Cheap guard run before the real parser so hostile markup is refused in linear time.
    """
    if html.count("<") <= limit:
        return min(html.count("<"), limit)
    depth = deepest = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        name = name.lower()
        if self_closing or name in _SHALLOW_TAGS:
            continue
        if closing:
            depth = max(depth - 1, 0)
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def parse_html_tree(html: str) -> LexborHTMLParser:
    """Parse `html` with lexbor after the depth guard; raises HtmlTooDeep on hostile nesting."""
    depth = html_nesting_depth(html)
    if depth > MAX_HTML_DEPTH:
        raise HtmlTooDeep(f"HTML nested deeper than {MAX_HTML_DEPTH} elements")
    return LexborHTMLParser(html)


def node_to_text(node) -> str:
    """The text of one parsed element with block, list and line breaks kept; not repaired.

    Walks the tree once and leaves it as it is. Inserting break markers into the tree and
    reading its text back costs a DOM call per element and a selector pass per dropped tag
    (about five times as much on a typical description).
    """
    chunks: list[str] = []  # the text before each break; one more for the text after the last
    marks: list = []
    pending: list[str] = []
    # Open elements: (tokens written when the element closes, the sibling that follows it).
    open_elements: list[tuple[tuple, object]] = []
    current = node.first_child
    while True:
        if current is None:
            if not open_elements:
                break
            tokens, current = open_elements.pop()  # the element's closing tokens
        else:
            tag = current.tag
            if tag == "-text":
                pending.append(current.text_content or "")
                current = current.next
                continue
            if tag is None or tag[0] == "-" or tag in _DROPPED_TAG_SET:
                current = current.next  # comments, doctypes and dropped elements add no text
                continue
            tokens, closing = _MARKERS_OF_TAG.get(tag, _NO_MARKERS)
            open_elements.append((closing, current.next))
            current = current.first_child
        for token in tokens:
            if token.__class__ is int:
                chunks.append("".join(pending))
                pending.clear()
                marks.append(token)
            else:
                pending.append(token)
    chunks.append("".join(pending))
    return _resolve_breaks(chunks, marks)


def _resolve_breaks(chunks: list, marks: list) -> str:
    """Text chunks and the break codes between them -> text with line breaks and "- "
    bullets, exactly as `_breaks_to_text` resolves the same breaks spelled as private-use
    characters in one flat string, without building that string (its regexes cost more, and
    the private-use characters make every later step work on 2-byte text)."""
    for index, chunk in enumerate(chunks):
        if not chunk.isprintable():
            if not chunk.isascii() and any(char in chunk for char in _MARK_CHARS.values()):
                return _breaks_to_text("".join(
                    text + _MARK_CHARS[mark] for text, mark in zip(chunks, marks)) + chunks[-1])
            chunks[index] = _collapse_whitespace(chunk)
        elif "  " in chunk:
            chunks[index] = _collapse_whitespace(chunk)
    _swallow_after_bullets(chunks, marks)
    merged_chunks, merged_marks = [chunks[0]], []
    for mark, chunk in zip(marks, chunks[1:]):
        if mark is None:
            merged_chunks[-1] += chunk
        else:
            merged_marks.append(mark)
            merged_chunks.append(chunk)
    return _join_break_runs(merged_chunks, merged_marks)


def _swallow_after_bullets(chunks: list, marks: list) -> None:
    """A bullet's own block content (<li><p>...</p></li>) starts on the bullet's line: the
    spaces and breaks right after a bullet are dropped (a dropped break becomes None)."""
    count = len(marks)
    index = 0
    while index < count:
        if marks[index] != _BULLET_MARK:
            index += 1
            continue
        last = index
        while True:
            after = chunks[last + 1]
            if after == "" or after == " ":
                chunks[last + 1] = ""
                if last + 1 < count and marks[last + 1] != _BULLET_MARK:
                    marks[last + 1] = None
                    last += 1
                    continue
            elif after[0] == " ":
                chunks[last + 1] = after[1:]
            break
        index = last + 1


def _join_break_runs(chunks: list, marks: list) -> str:
    """Each run of breaks (and the spaces around them) becomes one line break, or a blank line
    when it holds a paragraph break; a bullet right after a run starts the new line."""
    count = len(marks)
    for index, mark in enumerate(marks):
        if mark != _BULLET_MARK and chunks[index].endswith(" "):
            chunks[index] = chunks[index][:-1]
    text = [chunks[0]]
    index = 0
    while index < count:
        mark = marks[index]
        if mark == _BULLET_MARK:
            text.append("- ")
            text.append(chunks[index + 1])
            index += 1
            continue
        paragraph = item_end = False
        while True:
            if mark == _PARAGRAPH_BREAK:
                paragraph = True
            elif mark == _ITEM_END_MARK:
                item_end = True
            after = chunks[index + 1]
            if (after == "" or after == " ") and index + 1 < count \
                    and marks[index + 1] != _BULLET_MARK:
                index += 1
                mark = marks[index]
                continue
            break
        after = chunks[index + 1]
        if (after == "" or after == " ") and index + 1 < count:  # a bullet follows the run
            # Consecutive items of one list stay on consecutive lines, even around paragraphs.
            text.append("\n- " if item_end else ("\n\n- " if paragraph else "\n- "))
            text.append(chunks[index + 2])
            index += 2
            continue
        text.append("\n\n" if paragraph else "\n")
        text.append(after[1:] if after[:1] == " " else after)
        index += 1
    return "".join(text)


def _breaks_to_text(flat: str) -> str:
    """Flat element text with break markers -> text with line breaks and "- " bullets."""
    flat = _collapse_whitespace(flat)
    # A bullet's own block content (<li><p>...</p></li>) starts on the bullet's line.
    flat = _BULLET_THEN_BREAKS.sub(_BULLET, flat)
    # A run of spaces and markers becomes one break. With single spaces only, a run starts
    # with at most one space: dropping it first lets the regex start at the rare markers
    # instead of trying every space of the text.
    for mark in _MARKS:
        if " " + mark in flat:
            flat = flat.replace(" " + mark, mark)
    flat = _BREAK_RUN.sub(_join_breaks, flat)
    return flat.replace(_BULLET, "- ")


def _collapse_whitespace(flat: str) -> str:
    """Every whitespace run as one space (edges included), as re.sub(r"\\s+", " ") does but
    with str methods: the regex costs ~30 ns per character on markup's text."""
    words = " ".join(flat.split())
    if not words:
        return " " if flat else ""
    if flat[0].isspace():
        words = " " + words
    if flat[-1].isspace():
        words += " "
    return words


def _join_breaks(match: re.Match) -> str:
    run, bullet = match.group(0), match.group("bullet") or ""
    if bullet and _ITEM_END in run:
        return "\n" + bullet  # consecutive items of one list, even when they hold paragraphs
    return ("\n\n" if _PARAGRAPH in run else "\n") + bullet


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment or page: paragraphs and list items on their own lines,
    <li> as "- " bullets, entities unescaped, mojibake repaired, whitespace normalized.

    Raises HtmlTooDeep for markup nested deeper than MAX_HTML_DEPTH.
    """
    return html_to_repaired_text(html).text


def html_to_repaired_text(html: str) -> RepairedText:
    """`html_to_text` as a RepairedText."""
    if not looks_like_html(html):
        return repaired_text(html)
    if "<" not in html or not _REAL_MARKUP.search(html):
        # Feeds such as Greenhouse ship the description HTML-escaped ("&lt;p&gt;...").
        html = html_entities.unescape(html)
    tree = parse_html_tree(html)
    root = tree.body or tree.root
    if root is None:
        return RepairedText("", None, None)
    return repaired_text(node_to_text(root))


def repair_text(text: str) -> str:
    """Fix mojibake ("GdaÅ„sk" -> "Gdańsk"), unescape entities, normalize to NFC and normalize
    whitespace: single spaces inside lines, no blank-line runs, no edge whitespace."""
    return repaired_text(text).text


def repaired_text(text: str) -> RepairedText:
    """`repair_text` as a RepairedText."""
    if not text:
        return RepairedText("", None, None)
    if "&" in text:
        text = _ENTITY.sub(_unescape_entity, text)
    # Most text has nothing to repair: no mojibake, nothing invisible, already NFC. Proving
    # that and normalizing whitespace on the UTF-8 bytes costs a few microseconds; the
    # general path costs ~100 (regexes over str, one Python step per line). The checks look
    # at the few bytes that are no printable ASCII (or a capital, kept for the salary scan).
    encoded = text.encode("utf-8", "surrogatepass")
    marks = encoded.translate(None, _PLAIN_ASCII_BUT_CAPITALS)
    rest = marks.translate(None, _CAPITALS)
    normalized = text
    if not text.isascii():
        # Mojibake is non-ASCII bytes in a row: whatever the whole text holds, `rest` does.
        if _MOJIBAKE_HINT.search(rest) and _MOJIBAKE_HINT.search(encoded):
            return RepairedText(_repair_general(text), None, None)
        if _MAY_DENORMALIZE.search(rest.decode("utf-8", "surrogatepass")):
            normalized = unicodedata.normalize("NFC", text)
            if normalized is not text:
                encoded = normalized.encode("utf-8", "surrogatepass")
                marks = encoded.translate(None, _PLAIN_ASCII_BUT_CAPITALS)
                rest = marks.translate(None, _CAPITALS)
    cleaned = _plain_whitespace(encoded, rest, drop_c1=True)
    if cleaned is None:
        return RepairedText(_repair_general(text), None, None)
    if cleaned == encoded:
        return RepairedText(normalized, encoded, marks)  # nothing changed: nothing to decode
    if b"\xc2" in rest:  # the C1 controls and no-break spaces gone from the text go from marks
        marks = _C1_BYTES.sub(b"", marks).replace(b"\xc2\xa0", b"")
    return RepairedText(cleaned.decode("utf-8", "surrogatepass"), cleaned, marks)


def _normalize_plain_whitespace(encoded: bytes, drop_c1: bool = False) -> Optional[str]:
    """The whitespace normalization of `_repair_general`, on UTF-8 bytes, for text whose only
    characters besides printable ones are line breaks, tabs and no-break spaces (and, with
    `drop_c1`, C1 controls, which are dropped first as `_repair_general` drops them); None
    for any other text (controls, zero-width characters, rarer spaces and separators)."""
    cleaned = _plain_whitespace(encoded, encoded.translate(None, _PLAIN_ASCII), drop_c1)
    return None if cleaned is None else cleaned.decode("utf-8", "surrogatepass")


def _plain_whitespace(encoded: bytes, rest: bytes, drop_c1: bool) -> Optional[bytes]:
    """`_normalize_plain_whitespace` in UTF-8, given `rest`: the bytes of `encoded` that are no
    printable ASCII, tab or line break (its non-ASCII characters and ASCII controls).

    Multi-byte searches cost about a nanosecond per byte each, so the text is searched for
    as few of them as possible: single bytes (memchr) first, then one split into lines.
    """
    # isprintable() is False for every control, format, separator and surrogate character,
    # so a printable rest also proves there is nothing for _INVISIBLE to drop.
    if rest:
        if drop_c1 and _C1_BYTES.search(rest):
            encoded = _C1_BYTES.sub(b"", encoded)
            rest = _C1_BYTES.sub(b"", rest)
        if b"\xc2\xa0" in rest:  # U+00A0: in valid UTF-8 these two bytes are nothing else
            encoded = encoded.replace(b"\xc2\xa0", b" ")
            rest = rest.replace(b"\xc2\xa0", b"")
        if rest and not rest.decode("utf-8", "surrogatepass").isprintable():
            return None
    if b"\r" in encoded:
        encoded = encoded.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"\t" in encoded:
        encoded = encoded.replace(b"\t", b" ")
    lines = [line.strip() for line in encoded.split(b"\n")]
    encoded = b"\n".join(lines)
    while _DOUBLE_SPACE.search(encoded):
        encoded = encoded.replace(b"  ", b" ")
    if b"" in lines:
        while _BLANK_LINES.search(encoded):
            encoded = encoded.replace(b"\n\n\n", b"\n\n")
    return encoded.strip()


def _repair_general(text: str) -> str:
    text = _INVISIBLE.sub("", text)
    if not text.isascii():
        # ftfy costs milliseconds per posting; only text with mojibake's fingerprints pays it.
        repaired = False
        for _ in range(3):  # a repair can reveal one more layer ("\x82" -> "‚" -> one character)
            if not _MOJIBAKE_HINT.search(text.encode("utf-8", "surrogatepass")):
                break
            fixed = _fix_utf8_mojibake(text)
            repaired = True
            if fixed == text:
                break
            text = fixed
        text = unicodedata.normalize("NFC", text)
        cleaned = _normalize_plain_whitespace(text.encode("utf-8", "surrogatepass"), drop_c1=True)
        if cleaned is not None:
            return cleaned  # nothing invisible left to remove
        if repaired:  # a repair may decode to invisible characters; NFC never makes any
            text = _INVISIBLE.sub("", text)
        text = _C1_CONTROLS.sub("", text)
    cleaned = _normalize_plain_whitespace(text.encode("utf-8", "surrogatepass"))
    if cleaned is not None:
        return cleaned
    lines: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip()


def _fix_utf8_mojibake(text: str) -> str:
    """Re-decode runs of UTF-8 bytes that were shown as Latin-1/cp1252 ("â€™" -> "’").

    The common case costs microseconds; what a byte-level repair cannot explain (mixed or
    lossy encodings) goes to ftfy, which is correct but costs milliseconds per posting.
    """
    for _ in range(3):  # text encoded twice ("ÃƒÂ©") needs a second pass
        repaired = _MOJIBAKE_RUN.sub(_redecode_run, text)
        if repaired == text:
            break
        text = repaired
        if not _MOJIBAKE_HINT.search(text.encode("utf-8", "surrogatepass")):
            return text  # every run also matches the hint: no second pass, nothing for ftfy
    if _MOJIBAKE_HINT.search(text.encode("utf-8", "surrogatepass")):
        text = ftfy.fix_text(text, _FTFY_CONFIG)
    return text


def _redecode_run(match: re.Match) -> str:
    run = match.group(0)
    try:
        return bytes(_BYTE_OF_CHAR[char] for char in run).decode("utf-8")
    except UnicodeDecodeError:
        return run


def _unescape_entity(match: re.Match) -> str:
    return html_entities.unescape(match.group(0))


# ---------------------------------------------------------------------------------------------
# Page furniture: the parts of a scraped page that belong to the site, not to the posting.

# A heading that opens a list of other jobs: the list is its following short lines.
_JOB_LIST_HEADING = re.compile(
    r"(?:related|similar|recommended|suggested|other|more|latest|recent|featured|popular)"
    r"(?: \w+){0,3} (?:jobs|roles|positions|vacancies|openings|searches)(?: .{0,40})?"
    r"|view all (?:jobs|roles|positions|openings)|see all (?:jobs|roles|positions|openings)"
    r"|(?:jobs|roles) you (?:may|might) (?:also )?(?:like|be interested in)"
    r"|people (?:also )?(?:viewed|searched|applied)(?: .{0,30})?"
    r"|explore (?:more )?jobs(?: .{0,40})?|browse (?:more )?jobs(?: .{0,40})?",
    re.I,
)
# A heading that opens site content running to the end of the page (or to the next section
# of the posting itself): blog teasers, insights, newsletters, footers.
_TAIL_HEADING = re.compile(
    r"(?:industry|latest|career|market|hiring) (?:insights|news|advice|articles|resources)"
    r"|insights|(?:from|on) (?:our|the) blog|(?:latest|related|recent|featured|popular) "
    r"(?:articles|posts|stories|blog posts|news)|blog|career advice|you (?:may|might) also like"
    r"|read (?:more|next)|further reading|about this site|quick links|useful links"
    r"|follow us(?: on .{0,30})?|connect with us|stay (?:up to date|in touch|connected)"
    r"|for (?:job seekers|employers|recruiters|candidates)",
    re.I,
)
# A single line of site chrome, removed wherever it appears.
_FURNITURE_LINE = re.compile(
    r"(?:apply(?: now| for this (?:job|position|role))?|easy apply|quick apply|save(?: job| this job)?"
    r"|saved|share(?: this (?:job|posting))?(?: on \w+)?|report(?: this)? job|print|email (?:me|this job)"
    r"|back to (?:search results|jobs|all jobs|search)|show (?:more|less)|see (?:more|less)"
    r"|read more|sign (?:in|up|in to apply)|log ?in|register|create (?:a )?job alert"
    r"|(?:get|set up|create) job alerts?(?: .{0,60})?|accept(?: all)?(?: cookies)?"
    r"|reject(?: all)?|cookie (?:settings|preferences|policy)|manage (?:cookies|preferences)"
    r"|privacy(?: policy)?|terms(?: of (?:service|use))?(?: and conditions)?|sitemap"
    r"|contact us|(?:share|post|tweet) (?:on|to|via) (?:facebook|twitter|x|linkedin|whatsapp|e-?mail)"
    r"|(?:©|\(c\)|copyright)\s*.{0,120}|all rights reserved\.?"
    r"|subscribe(?: to .{0,100})?|by (?:subscribing|signing up|clicking|continuing)\b.{0,240}"
    r"|(?:we|this (?:site|website)) uses? cookies\b.{0,400}"
    r"|(?:sign up|subscribe|get|receive)\b.{0,80}\b(?:newsletter|inbox|job alerts)\b.{0,80}"
    r"|apply before .{0,40}|applications? (?:closed|closes .{0,40})|no longer accepting applications)",
    re.I,
)
# The posting's own section headings: furniture removal never crosses them.
_POSTING_SECTION = re.compile(
    r"(?:(?:what|who|where|why|how) (?:you(?:'|’)ll|you will|you(?:'|’)d|you|we(?:'|’)re|we are"
    r"|we|we(?:'|’)ll|we will)(?: [\w’'&/-]+){1,4}"  # What You'll Do, Who You Are, What we offer
    r"|about (?:us|you|the|this)(?: [\w’'&/-]+){0,3}|(?:key |main |your |job |essential )?"
    r"(?:requirements|qualifications|responsibilities|duties|benefits|perks|skills|tasks)"
    r"(?: and [\w ]{3,30})?|(?:minimum|preferred|basic|desired|required) (?:qualifications|skills)"
    r"|nice to have|bonus points|the role|your role|your profile|job (?:description|summary|details)"
    r"|compensation|salary|our offer|experience|education|location|schedule|working hours)\s*:?",
    re.I,
)
_LIST_LINE_MAX_CHARS = 100
_SENTENCE_END = re.compile(r"[.!?:;]$")


def is_posting_section_heading(line: str) -> bool:
    """True for the posting's own section headings ("What You'll Do", "Requirements:")."""
    return len(line) <= 60 and _POSTING_SECTION.fullmatch(line) is not None


def is_furniture_line(line: str) -> bool:
    """True for a single line of site chrome: buttons, cookie, subscribe and copyright blurbs."""
    return len(line) <= 500 and _FURNITURE_LINE.fullmatch(line) is not None


def is_furniture_heading(line: str) -> bool:
    """True for a heading that opens site furniture ("Related Jobs", "Industry Insights")."""
    heading = line.strip().strip("#*").strip().rstrip(":").strip()
    return bool(heading) and (
        (len(heading) <= 80 and _JOB_LIST_HEADING.fullmatch(heading) is not None)
        or (len(heading) <= 60 and _TAIL_HEADING.fullmatch(heading) is not None)
    )


def _is_listing_line(line: str) -> bool:
    return (
        len(line) <= _LIST_LINE_MAX_CHARS
        and not _SENTENCE_END.search(line)
        and not is_posting_section_heading(line)
    )


def strip_page_furniture(text: str) -> str:
    """Remove the site's furniture from a page's text and keep the posting's own sections.

    Job lists ("Related Jobs", "Similar jobs", "View all jobs") lose their heading and the short
    lines that follow; blog, insights and footer blocks lose everything up to the next posting
    section heading or the end; buttons, share, cookie and subscribe lines are dropped.
    """
    lines = text.split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index].strip().strip("#*").strip()
        heading = line.rstrip(":").strip()
        if heading and len(heading) <= 80 and _JOB_LIST_HEADING.fullmatch(heading):
            index = _skip_job_list(lines, index + 1)
            continue
        if heading and len(heading) <= 60 and _TAIL_HEADING.fullmatch(heading):
            index = _skip_to_next_section(lines, index + 1)
            continue
        if line and is_furniture_line(line):
            index += 1
            continue
        kept.append(lines[index])
        index += 1
    return _BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip()


def _skip_job_list(lines: list[str], index: int) -> int:
    while index < len(lines):
        line = lines[index].strip()
        if line and not _is_listing_line(line) and not is_furniture_line(line):
            break
        index += 1
    return index


def _skip_to_next_section(lines: list[str], index: int) -> int:
    while index < len(lines) and not is_posting_section_heading(lines[index].strip()):
        index += 1
    return index
