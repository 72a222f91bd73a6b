"""Tests of transforms.formats.clean: HTML to text, mojibake repair, page furniture removal."""
from __future__ import annotations

from pathlib import Path

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from transforms.formats.clean import (
    _ENTITY,
    _MAY_DENORMALIZE,
    MAX_HTML_DEPTH,
    HtmlTooDeep,
    RepairedText,
    _repair_general,
    _unescape_entity,
    html_nesting_depth,
    html_to_repaired_text,
    html_to_text,
    is_clean_line,
    is_furniture_heading,
    is_posting_section_heading,
    looks_like_html,
    repair_text,
    repaired_text,
    strip_page_furniture,
)

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"


@pytest.mark.parametrize(
    "html, expected",
    [
        # usajobs-2021 (public domain): paragraphs, bold label, bullets.
        (
            "<p>JOB DESCRIPTION: Data Scientists develop and apply methods to identify, collect,"
            " process, and analyze large volumes of data.</p><p><strong>SPECIAL INFO:</strong>"
            "</p><ul><li>U.S. Citizenship Required</li><li>Polygraph Test Required</li></ul>",
            "JOB DESCRIPTION: Data Scientists develop and apply methods to identify, collect,"
            " process, and analyze large volumes of data.\n\nSPECIAL INFO:\n\n"
            "- U.S. Citizenship Required\n- Polygraph Test Required",
        ),
        # Greenhouse-style escaped HTML, double-escaped ampersand.
        (
            "&lt;h2&gt;Who You Are&lt;/h2&gt;&lt;p&gt;Python &amp;amp; SQL&lt;/p&gt;",
            "Who You Are\n\nPython & SQL",
        ),
        # <br> line breaks, source newlines collapsed, entities, scripts and styles dropped.
        (
            "<div>Les missions principales sont:<br>Exécuter des actes de\n   maintenance"
            "<br/>Utiliser la documentation&nbsp;technique</div><script>var x = '<p>';</script>"
            "<style>p{color:red}</style>",
            "Les missions principales sont:\nExécuter des actes de maintenance\n"
            "Utiliser la documentation technique",
        ),
        # Mojibake inside markup (place-emploi-public-fr text read as cp1252).
        (
            "<p>Au sein dâ€™une Ã©quipe de 6 personnes</p>",
            "Au sein d’une équipe de 6 personnes",
        ),
        # Table cells on one line, rows on their own lines.
        (
            "<table><tr><th>Grade</th><th>Salary</th></tr><tr><td>GS-13</td><td>$89,834</td>"
            "</tr></table>",
            "Grade Salary\nGS-13 $89,834",
        ),
        # Nested lists keep one bullet per item; inline tags do not break lines.
        (
            "<ul><li>Python<ul><li><em>pandas</em></li></ul></li><li>R</li></ul>",
            "- Python\n- pandas\n- R",
        ),
        # Paragraphs inside list items stay on the bullet's line (Remote OK style markup).
        (
            "<h3>Integrations</h3><ul><li><p>Google Drive</p></li><li><p>WhatsApp</p></li></ul>",
            "Integrations\n\n- Google Drive\n- WhatsApp",
        ),
        ("plain text, no markup", "plain text, no markup"),
        ("", ""),
    ],
)
def test_html_to_text(html, expected):
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("GdaÅ„sk", "Gdańsk"),
        ("Whatâ€™s in it for you", "What’s in it for you"),
        ("Ã„r du en Java-utvecklare?", "Är du en Java-utvecklare?"),
        ("Â£45,000 per annum", "£45,000 per annum"),
        # Correct text is left alone: curly quotes, accents, full-width forms.
        ("we’re behind Spotify’s features", "we’re behind Spotify’s features"),
        ("Größe, été, naïve, Ça", "Größe, été, naïve, Ça"),
        ("ＰＹＴＨＯＮ経験", "ＰＹＴＨＯＮ経験"),
        # NFC: e + combining acute becomes é.
        ("Cafe\u0301 Ope\u0301ra", "Café Opéra"),
        # Only complete entities are unescaped.
        ("R&D, AT&T, &parameter, &amp; &#39;x&#39; &eacute;", "R&D, AT&T, &parameter, & 'x' é"),
        ("Python &amp;amp; SQL", "Python &amp; SQL"),  # one level of escaping per call
        # Whitespace: spaces collapsed, one blank line kept, CRLF, NBSP, zero-width, NUL.
        ("  Who\u00a0You   Are \r\n\r\n\r\n\r\nYou\u200b love\tcode\x00 ", "Who You Are\n\nYou love code"),
        ("\ud800lone surrogate", "lone surrogate"),
        ("", ""),
    ],
)
def test_repair_text(text, expected):
    assert repair_text(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<p>Hello</p>", True),
        ("<div class='x'>", True),
        ("&lt;p&gt;Hello&lt;/p&gt;", True),
        ("Salary < 50k and > 30k", False),
        ("<ORGANIZATION> is a leading supplier", True),  # placeholder looks like a tag
        ("R&D &amp; QA", False),
        ("", False),
    ],
)
def test_looks_like_html(text, expected):
    assert looks_like_html(text) is expected


def test_spotify_page_keeps_only_the_posting():
    page = (PAGES / "spotify-machine-learning-engineer-ii.txt").read_text(encoding="utf-8")
    body = page[page.index("The Personalization team"):]
    posting = body[: body.index("GMT/CET time zone for collaboration.") + 36]
    # The page has a no-break space before a full stop; cleaning makes it a plain space.
    assert strip_page_furniture(repair_text(body)) == posting.replace("\u00a0", " ")


@pytest.mark.parametrize(
    "text, expected",
    [
        # A job list: heading and short lines go, the next paragraph stays.
        (
            "Related Jobs\n\nView all jobs\n\nData Scientist\n\nData Engineer II\n\n"
            "The Personalization team makes decisions about what to play next.",
            "The Personalization team makes decisions about what to play next.",
        ),
        # A tail block runs to the next posting section heading.
        (
            "Intro line.\nIndustry Insights\nHow Many AI Tools Do You Need?\nRequirements\n- SQL",
            "Intro line.\nRequirements\n- SQL",
        ),
        # Buttons, share, cookie, subscribe and copyright lines go; the posting stays.
        (
            "Apply now\nSave job\nShare this job\nWe use cookies to improve your experience.\n"
            "About Us\nWe build wind turbines.\n"
            "Subscribe to Future Tech Insights for the latest jobs & insights, direct to your inbox.\n"
            "By subscribing, you agree to our privacy policy and terms of service.\n"
            "© 2021 Example Federal Jobs Board. All rights reserved.",
            "About Us\nWe build wind turbines.",
        ),
        # A posting sentence mentioning a newsletter is content, not furniture.
        (
            "You will edit our monthly newsletter for customers.",
            "You will edit our monthly newsletter for customers.",
        ),
        ("", ""),
    ],
)
def test_strip_page_furniture(text, expected):
    assert strip_page_furniture(text) == expected


@pytest.mark.parametrize(
    "line, furniture_heading, posting_section",
    [
        ("Related Jobs", True, False),
        ("Similar jobs:", True, False),
        ("More jobs from Spotify", True, False),
        ("Industry Insights", True, False),
        ("What You'll Do", False, True),
        ("Where You’ll Be", False, True),
        ("Requirements:", False, True),
        ("Benefits", False, True),
        ("What we offer", False, True),
        ("Who we are looking for:", False, True),
        ("Key Responsibilities", False, True),
        ("About the role", False, True),
        ("Machine Learning Engineer, II", False, False),
        ("Spotify", False, False),
    ],
)
def test_heading_classes(line, furniture_heading, posting_section):
    assert is_furniture_heading(line) is furniture_heading
    assert is_posting_section_heading(line) is posting_section


@pytest.mark.parametrize(
    "html, expected",
    [
        ("<div><p>x</p></div>", 4),  # fewer tags than the limit: the tag count bounds depth
        ("<div>" * 1200, MAX_HTML_DEPTH + 1),
        ("<p>x" * 1200, 0),  # each <p> closes the previous one
        ("<br><img src=a>" * 700, 0),
        ("<ul><li>x</li></ul>" * 700, 1),
    ],
)
def test_html_nesting_depth(html, expected):
    assert html_nesting_depth(html) == expected


def test_hostile_nesting_raises_html_too_deep():
    with pytest.raises(HtmlTooDeep):
        html_to_text("<div>" * 200_000 + "Nurse" + "</div>" * 200_000)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_html_to_text_takes_any_text(text):
    assert isinstance(html_to_text(text), str)


@settings(max_examples=200, deadline=None)
@given(st.text().filter(lambda text: "&" not in text))  # entities unescape one level per call
@example("á\x82\x1f\x91")  # a control char hid a second mojibake layer from the first pass
def test_repair_text_is_idempotent(text):
    once = repair_text(text)
    assert repair_text(once) == once


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(
    ["<p>", "</p>", "<li>", "<ul>", "</ul>", "<br>", "&amp;", "Ã©", "Apply now", "\n",
     "Related Jobs", "Python", "<div>", "</div>", "<script>", "&lt;b&gt;"]), max_size=40))
def test_cleaning_chains_take_markup_soup(parts):
    text = html_to_text("".join(parts))
    assert strip_page_furniture(text) == strip_page_furniture(strip_page_furniture(text))


@pytest.mark.parametrize(
    "text, expected",
    [
        # place-emploi-public-fr (Licence Ouverte): French typography puts a no-break space
        # before ":" and after bullets; "é" + no-break space is no mojibake.
        ("Activités\u00a0principales :\n\n·\u00a0\u00a0\u00a0 Contribuer aux avancées",
         "Activités principales :\n\n· Contribuer aux avancées"),
        ("Sous\u00a0l'autorité\u00a0du\u00a0Responsable de zone",
         "Sous l'autorité du Responsable de zone"),
        ("des compétences en électricité\u00a0:", "des compétences en électricité :"),
        # A mark before a curly quote is real text, not mojibake.
        ("Great Place to Work®’ award", "Great Place to Work®’ award"),
        # cp1252 quotes decoded as Latin-1 (C1 controls) are dropped, the real quotes kept.
        ("a “\u0093quoted\u0094” word", "a “quoted” word"),
        # Tabs, CRLF and a lone CR.
        ("Title:\tData Analyst\r\nGrade:\tGS-12\rLocation: DC",
         "Title: Data Analyst\nGrade: GS-12\nLocation: DC"),
        # Four-byte, doubly encoded and no-break-space mojibake.
        ("Free lunch ð\u009f\u0098\u0080 daily", "Free lunch 😀 daily"),
        ("ÃƒÂ©quipe", "équipe"),
        ("Ã\u00a0 Paris", "à Paris"),
        # Line and paragraph separators, zero-width and soft hyphens, a C1 next line.
        ("naïve\u2028café", "naïve\ncafé"),
        ("Lead\u200b engineer\u00ad", "Lead engineer"),
        ("x\u0085y", "xy"),
    ],
)
def test_repair_text_typography_and_encodings(text, expected):
    assert repair_text(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    ["a", "Z", " ", "  ", "\n", "\r\n", "\r", "\t", "\u00a0", "\u2028", "\u0085", "\x0c", "\x1f",
     "\u3000", "é", "e\u0301", "Ã©", "â€™", "\u200b", "\x00", "\u0092", "&amp;", "\ufeff",
     "\u00ad", "\ud800", "ﬁ", "\u2000", "ð\u009f\u0098\u0080", "\n\n\n", "électricité\u00a0:"]),
    max_size=30))
def test_repair_text_fast_path_agrees_with_the_general_path(parts):
    # repair_text proves most text clean with str and bytes methods; whatever it returns must
    # be what the general regex-and-lines path returns for the same (unescaped) text.
    text = "".join(parts)
    unescaped = _ENTITY.sub(_unescape_entity, text)
    assert repair_text(text) == _repair_general(unescaped)


@pytest.mark.parametrize(
    "html, expected",
    [
        # Comments, buttons and noscript add no text; bullets stay one per item.
        ("<ul><li>Go<!-- c --></li><li><button>Apply</button>Rust</li></ul>"
         "<noscript>x</noscript>", "- Go\n- Rust"),
        # A template's content and an inline SVG's text are not the posting's.
        ("<table><tr><td><p>GS-13</p></td><td>$89,834</td></tr></table>"
         "<template><p>hidden</p></template>", "GS-13\n\n$89,834"),
        ("<div>Head<div>Nested <b>bold</b></div>tail</div><svg><text>logo</text></svg>",
         "HeadNested bold\ntail"),
        ("<ol><li><p>One</p><p>Two</p></li><li>Three</li></ol>", "- One\n\nTwo\n- Three"),
    ],
)
def test_html_to_text_skips_what_is_not_text(html, expected):
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # linkedin-ca-2018: a no-break space and a CRLF; capitals and non-ASCII bytes are kept
        # in order for the salary scan, without the no-break space that became a space.
        ("Payments Data Analyst\u00a0is responsible for the Payments dashboard.\r\n"
         "Pay in USD – monthly ",
         RepairedText("Payments Data Analyst is responsible for the Payments dashboard.\n"
                      "Pay in USD – monthly",
                      b"Payments Data Analyst is responsible for the Payments dashboard.\n"
                      b"Pay in USD \xe2\x80\x93 monthly",
                      b"PDAPPUSD\xe2\x80\x93")),
        # place-emploi-public-fr: French text already clean comes back as it is.
        ("Les EMD regroupent l’école d’artillerie.\n\nMissions :",
         RepairedText("Les EMD regroupent l’école d’artillerie.\n\nMissions :",
                      "Les EMD regroupent l’école d’artillerie.\n\nMissions :".encode(),
                      "LEMD’é’M".encode())),
        # Mojibake takes the general path, which keeps no by-products.
        ("Dâ€™Artagnan", RepairedText("D’Artagnan", None, None)),
        ("", RepairedText("", None, None)),
    ],
)
def test_repaired_text_keeps_what_later_scans_reuse(text, expected):
    assert repaired_text(text) == expected


def test_html_to_repaired_text():
    assert html_to_repaired_text("<p>Data <b>Engineer</b></p><ul><li>SQL</li></ul>") == \
        RepairedText("Data Engineer\n\n- SQL", b"Data Engineer\n\n- SQL", b"DESQL")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    ["a", "Z", "USD", " ", "  ", "\n", "\r\n", "\r", "\t", "\u00a0", "\u2028", "\u0085", "\x0c",
     "é", "e\u0301", "Ã©", "â€™", "\u200b", "\u0092", "&amp;", "\ufeff", "ﬁ", "\u2000", "€", "’",
     "\n\n\n", "électricité\u00a0:", "Ω", "\u212b", "😀", "ア\u3099", "가\u11a8"]), max_size=30))
def test_repaired_text_by_products_describe_its_text(parts):
    repaired = repaired_text("".join(parts))
    assert repaired.text == repair_text("".join(parts))
    if repaired.utf8 is not None:
        text = repaired.text
        assert repaired.utf8 == text.encode("utf-8")
        assert repaired.capitals_and_non_ascii == bytes(
            byte for byte in repaired.utf8 if byte >= 0x80 or 0x41 <= byte <= 0x5A)
        assert text == text.strip() and "  " not in text and "\n\n\n" not in text
        assert " \n" not in text and "\n " not in text
        assert text.replace("\n", "").isprintable()


def test_characters_taken_for_nfc_compose_with_nothing():
    # repaired_text skips unicodedata's NFC check for text whose characters the shortcut
    # accepts: each must be a starter, its own NFC, and the second character of no
    # canonical composition (what makes a character NFC_Quick_Check=Maybe).
    seconds = {chr(code) for code in range(0x1161, 0x1176)} | {
        chr(code) for code in range(0x11A8, 0x11C3)}  # Hangul vowels and final consonants
    for code in range(0x110000):
        decomposition = unicodedata.decomposition(chr(code)).split()
        if len(decomposition) == 2 and not decomposition[0].startswith("<"):
            seconds.add(chr(int(decomposition[1], 16)))
    accepted = [chr(code) for code in range(0x80, 0x110000)
                if not 0xD800 <= code < 0xE000 and _MAY_DENORMALIZE.match(chr(code)) is None]
    assert {"é", "’", "–", "€", "™", "😀"} <= set(accepted)
    assert [char for char in accepted if unicodedata.combining(char)
            or unicodedata.normalize("NFC", char) != char or char in seconds] == []


@pytest.mark.parametrize(
    "text, clean",
    [
        ("Payments Data Analyst", True),
        ("MECANICIEN MONTEUR CONFIRME H/F", True),
        ("Ingénieur données – Île-de-France", True),
        ("Ingénieur\u00a0données", False),  # a no-break space becomes a space
        ("Data  Analyst", False),
        (" Data Analyst", False),
        ("R&amp;D Engineer", False),
        ("Dâ€™Artagnan", False),
        ("e\u0301quipe", False),  # not NFC
        ("Data\tAnalyst", False),
        ("", False),
    ],
)
def test_is_clean_line(text, clean):
    assert is_clean_line(text) is clean


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    ["a", "Z", " ", "  ", "\u00a0", "é", "e\u0301", "Ã©", "â€™", "&amp;", "&", "’", "Ω", "\u212b",
     "😀", "\u0092", "\t", "İ"]), max_size=12))
def test_a_clean_line_is_its_own_repair(parts):
    text = "".join(parts)
    if is_clean_line(text):
        assert repair_text(text) == text == " ".join(text.split())
