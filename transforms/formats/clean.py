"""Text cleaning shared by every format parser: HTML to text, mojibake repair, page furniture.

Format parsers (text and HTML pages, JSON/CSV records with HTML descriptions) call these before
building a RawRecord, so every later stage sees the posting's own plain text.
"""
from __future__ import annotations

import html as html_entities
import re
import unicodedata

import ftfy
from selectolax.lexbor import LexborHTMLParser

# Deeper nesting than this is hostile or broken markup; lexbor's tree building is quadratic
# in the depth of unclosed block elements (200,000 nested <div> take minutes).
MAX_HTML_DEPTH = 1000

# Private-use code points mark breaks inside lexbor's flat text() output: they survive the
# collapse of source whitespace and never occur in real postings.
_LINE = "\ue000"
_PARAGRAPH = "\ue001"
_BULLET = "\ue002"
_ITEM_END = "\ue003"

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
_BREAK_SELECTOR = ",".join((_PARAGRAPH_TAGS, _LINE_TAGS, _CELL_TAGS, "li"))
_PARAGRAPH_TAG_SET = frozenset(_PARAGRAPH_TAGS.split(","))
_CELL_TAG_SET = frozenset(_CELL_TAGS.split(","))
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
_SOURCE_WHITESPACE = re.compile(r"\s+")
_BLANK_RUNS = re.compile(r"\n{3,}")
_MARKS = _LINE + _PARAGRAPH + _ITEM_END
_BULLET_THEN_BREAKS = re.compile(f"{_BULLET}[ {_MARKS}]+")
_BREAK_MARKS = re.compile(f"[ {_MARKS}]*[{_MARKS}][ {_MARKS}]*(?P<bullet>{_BULLET})?")

# UTF-8 read as Latin-1/cp1252 leaves a Latin-1 letter followed by a continuation byte shown
# as a Latin-1 or cp1252 character ("Ã©", "â€™", "Å„"). Searched in the UTF-8 bytes, where
# Python's regex engine runs several times faster than over non-ASCII str.
_MOJIBAKE_HINT = re.compile(
    rb"[\xc2\xc3][\x80-\xbf](?:\xc2[\x80-\xbf]|\xc5[\x92\x93\xa0\xa1\xb8\xbd\xbe]|\xc6\x92"
    rb"|\xcb[\x86\x9c]|\xe2\x80[\x93\x94\x98-\x9e\xa0-\xa2\xa6\xb0\xb9\xba]|\xe2\x82\xac|\xe2\x84\xa2)"
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
_MOJIBAKE_RUN = re.compile(
    f"[\u00c2-\u00df]{_CONTINUATION}|[\u00e0-\u00ef]{_CONTINUATION}{{2}}|[\u00f0-\u00f4]{_CONTINUATION}{{3}}"
)
# C1 controls left after repair are debris of a lost encoding, never text.
_C1_CONTROLS = re.compile("[\u0080-\u009f]")
# Only complete entities: html.unescape alone would turn "&parameter" into "¶meter".
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,  # "What’s" is what the employer wrote; only mojibake is an error
    fix_character_width=False,  # full-width forms are legitimate in Japanese postings
    normalization="NFC",
    explain=False,
)


class HtmlTooDeep(ValueError):
    """Markup nested deeper than MAX_HTML_DEPTH: callers reject the record as "html_too_deep"."""


def looks_like_html(text: str) -> bool:
    """True when `text` carries HTML markup (tags, or tags escaped as entities)."""
    if "<" in text and _REAL_MARKUP.search(text):
        return True
    return "&lt;" in text and _ESCAPED_MARKUP.search(text) is not None


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

    Mutates the tree under `node` (break markers are inserted), so call it once per tree.
    """
    node.strip_tags(_DROPPED_TAGS)
    # One selector pass over the tree: each css() call walks the whole subtree.
    for element in node.css(_BREAK_SELECTOR):
        tag = element.tag
        if tag in _PARAGRAPH_TAG_SET:
            element.insert_before(_PARAGRAPH)
            element.insert_after(_PARAGRAPH)
        elif tag == "li":
            element.insert_before(_LINE + _BULLET)
            element.insert_after(_ITEM_END)
        elif tag in _CELL_TAG_SET:
            element.insert_after(" ")
        else:
            element.insert_after(_LINE)
    flat = node.text(deep=True, separator="", strip=False)
    flat = _SOURCE_WHITESPACE.sub(" ", flat)
    # A bullet's own block content (<li><p>...</p></li>) starts on the bullet's line.
    flat = _BULLET_THEN_BREAKS.sub(_BULLET, flat)
    flat = _BREAK_MARKS.sub(_join_breaks, flat)
    return flat.replace(_BULLET, "- ")


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
    if not looks_like_html(html):
        return repair_text(html)
    if "<" not in html or not _REAL_MARKUP.search(html):
        # Feeds such as Greenhouse ship the description HTML-escaped ("&lt;p&gt;...").
        html = html_entities.unescape(html)
    tree = parse_html_tree(html)
    root = tree.body or tree.root
    if root is None:
        return ""
    return repair_text(node_to_text(root))


def repair_text(text: str) -> str:
    """Fix mojibake ("GdaÅ„sk" -> "Gdańsk"), unescape entities, normalize to NFC and normalize
    whitespace: single spaces inside lines, no blank-line runs, no edge whitespace."""
    if not text:
        return ""
    if "&" in text:
        text = _ENTITY.sub(_unescape_entity, text)
    text = _INVISIBLE.sub("", text)
    if not text.isascii():
        # ftfy costs milliseconds per posting; only text with mojibake's fingerprints pays it.
        if _MOJIBAKE_HINT.search(text.encode("utf-8", "surrogatepass")):
            text = _fix_utf8_mojibake(text)
        text = _C1_CONTROLS.sub("", _INVISIBLE.sub("", unicodedata.normalize("NFC", text)))
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
