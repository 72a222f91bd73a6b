"""Posting dates and status (transforms.formats.dates): absolute, epoch, day-first, relative."""
import datetime as dt

import pytest

from transforms.formats.dates import parse_date, posting_status

AS_OF = dt.date(2025, 11, 20)


@pytest.mark.parametrize(
    "raw, day_first, expected",
    [
        # ISO, as USAJOBS, Platsbanken and Remote OK write them
        ("2021-11-18T15:50:34.4930", False, dt.date(2021, 11, 18)),
        ("2019-02-14T00:00:00", True, dt.date(2019, 2, 14)),
        ("2026-03-16T00:00:03+00:00", False, dt.date(2026, 3, 16)),
        ("2016-03-17", False, dt.date(2016, 3, 17)),
        ("20251103", False, dt.date(2025, 11, 3)),
        # epoch seconds (Remote OK) and milliseconds (Lever createdAt, LinkedIn listedAt)
        (1773619203, False, dt.date(2026, 3, 16)),
        ("1773619203", False, dt.date(2026, 3, 16)),
        (1550677810000, False, dt.date(2019, 2, 20)),
        # month names
        ("Nov 3, 2025", False, dt.date(2025, 11, 3)),
        ("November 3rd, 2025", False, dt.date(2025, 11, 3)),
        ("3 November 2025", True, dt.date(2025, 11, 3)),
        ("Posted on Nov 3", False, dt.date(2025, 11, 3)),
        ("Dec 24", False, dt.date(2024, 12, 24)),  # no year: the last such day before as_of
        ("16 avril 2021", True, dt.date(2021, 4, 16)),
        # numeric: day first in a French or Swedish source, month first in a US one
        ("03/11/2025", True, dt.date(2025, 11, 3)),
        ("03/11/2025", False, dt.date(2025, 3, 11)),
        ("16/04/2021", False, dt.date(2021, 4, 16)),  # 16 cannot be a month
        ("03.11.2025", False, dt.date(2025, 11, 3)),  # dotted dates are European
        ("2025/11/03", False, dt.date(2025, 11, 3)),
        # relative forms resolve against as_of
        ("3 days ago", False, dt.date(2025, 11, 17)),
        ("1 year ago", False, dt.date(2024, 11, 20)),
        ("30+ days ago", False, dt.date(2025, 10, 21)),
        ("Just posted", False, AS_OF),
        ("today", False, AS_OF),
        ("yesterday", False, dt.date(2025, 11, 19)),
        ("Posted 2 weeks ago", False, dt.date(2025, 11, 6)),
        ("8 hours ago", False, AS_OF),
        ("a month ago", False, dt.date(2025, 10, 20)),
        ("il y a 3 jours", True, dt.date(2025, 11, 17)),
        ("2 dagar sedan", True, dt.date(2025, 11, 18)),
        # not dates: Indeed's scraped time_posted column holds these too
        ("save job", False, None),
        ("Sonoma, Inc.", False, None),
        ("Irvine", False, None),
        ("", False, None),
        (None, False, None),
        (True, False, None),
        ("2025-13-45", False, None),
        ("31/02/2025", True, None),
        (0, False, None),
    ],
)
def test_parse_date(raw, day_first, expected):
    assert parse_date(raw, AS_OF, day_first) == expected
    assert parse_date(raw, AS_OF, day_first) == expected  # strings come from the cache now


def test_parse_date_of_long_padded_strings():
    # Strings over the cache's key length are parsed without it, after the same strip.
    assert parse_date(" " * 300 + "2025-11-03" + " " * 300, AS_OF) == dt.date(2025, 11, 3)
    assert parse_date("x" * 300, AS_OF) is None
    assert parse_date("2 days ago", dt.date(2026, 1, 1)) == dt.date(2025, 12, 30)
    assert parse_date("2 days ago", AS_OF) == dt.date(2025, 11, 18)


@pytest.mark.parametrize(
    "status_text, valid_through, description, expected",
    [
        ("Applications closed", None, "", "closed"),
        (None, None, "Spotify\nStockholm\nApplications closed\nThe posting text", "closed"),
        (None, None, "We are no longer accepting applications for this role.", "closed"),
        ("expired", None, "", "closed"),
        (None, dt.date(2025, 11, 19), "", "closed"),  # validThrough in the past
        (None, dt.date(2025, 11, 20), "", "open"),  # still open on its last day
        (None, dt.date(2026, 9, 28), "", "open"),
        ("active", None, "", "open"),
        (None, None, "Renew expired licences for our fleet.", "unknown"),
        (None, None, "", "unknown"),
        # Closing words in any case; the regex's case folding also equates "İ" with "i".
        (None, None, "APPLICATIONS CLOSED\nData Analyst", "closed"),
        (None, None, "This vacancy has been FILLED.", "closed"),
        (None, None, "This position has been f\u0130lled", "closed"),
        (None, None, "Offre pourvue", "closed"),
        (None, None, "Please close the door; applications open on Monday", "unknown"),
        # Each closing phrase in the other languages, and the long s the regex reads as "s".
        (None, None, "Candidature close le 14 mars", "closed"),
        (None, None, "Offre expirée", "closed"),
        (None, None, "Annonsen är avslutad", "closed"),
        (None, None, "Applications clo\u017fed", "closed"),
        (None, None, "Ingénieur·e — candidatures closes", "closed"),
        (None, None, "Vi arbetar nära våra kunder och stänger aldrig dörren", "unknown"),
    ],
)
def test_posting_status(status_text, valid_through, description, expected):
    assert posting_status(status_text, valid_through, description, AS_OF) == expected
