"""CWR 2.1 and 3.0 files written with django-music-publisher's own record templates (its CWR
export renders these), so the bulk import's reader is checked against a writer this project
did not write."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "libraries": {
                        "cwr_generators": "music_publisher.templatetags.cwr_generators"
                    }
                },
            }
        ],
        SOFTWARE="rights-register-tests",
        SOFTWARE_VERSION="1",
    )
    django.setup()

from django.template import Context
from music_publisher.cwr_templates import TEMPLATES_21, TEMPLATES_30


@dataclass
class CwrWriter:
    """A writer (SWR) of a work: `share` is its PR share as a fraction (0.5 = 50 %)."""

    code: str
    last_name: str
    first_name: str
    ipi: str
    share: Decimal
    role: str = "CA"


@dataclass
class CwrWork:
    code: str
    title: str
    writers: list[CwrWriter]
    publisher_share: Decimal
    iswc: str = ""
    alternate_titles: list[str] = field(default_factory=list)
    performers: list[tuple[str, str]] = field(default_factory=list)
    isrc: str = ""


PUBLISHER = {"code": "P1", "name": "SIAM SONGS PUBLISHING", "ipi_name_number": "00000000199"}


def write_cwr(works: list[CwrWork], *, version: str = "2.1") -> str:
    """The text of a CWR file (NWR transactions in 2.1, WRK in 3.0) from the templates."""
    templates = TEMPLATES_21 if version == "2.1" else TEMPLATES_30
    created = datetime.datetime(2026, 12, 1, 9, 30)
    lines = [
        templates["HDR"].render(
            Context({**PUBLISHER, "creation_date": created, "filename": "CW260001SSP_000.V30"})
        ),
        templates["GRH"].render(Context({"transaction_type": "NWR" if version == "2.1" else "WRK"})),
    ]
    records = 0
    for number, work in enumerate(works):
        def record(kind: str, sequence: int, number: int = number, **values: Any) -> str:
            context = {"transaction_sequence": number, "record_sequence": sequence, **values}
            return templates[kind].render(Context(context))

        sequence = 0
        out = [
            record("WRK", 0, record_type="NWR", work_title=work.title, code=work.code,
                   iswc=work.iswc, recorded_indicator="U", version_type="ORI"),
        ]
        publisher = dict(PUBLISHER, chain_sequence=1, role="E", pr_share=work.publisher_share)
        sequence += 1
        out.append(record("SPU", sequence, **publisher))
        sequence += 1
        out.append(record("SPT", sequence, **publisher))
        for writer in work.writers:
            values = {"code": writer.code, "last_name": writer.last_name,
                      "first_name": writer.first_name, "writer_role": writer.role,
                      "ipi_name_number": writer.ipi, "pr_share": writer.share}
            sequence += 1
            out.append(record("SWR", sequence, **values))
            sequence += 1
            out.append(record("SWT", sequence, **values))
        for title in work.alternate_titles:
            sequence += 1
            out.append(record("ALT", sequence, alternate_title=title, title_type="AT"))
        for last, first in work.performers:
            sequence += 1
            out.append(record("PER", sequence, last_name=last, first_name=first))
        if work.isrc:
            sequence += 1
            out.append(record("REC", sequence, isrc=work.isrc, release_date="20260101"))
        records += len(out)
        lines += out
    lines.append(templates["GRT"].render(Context({"transaction_count": len(works),
                                                  "record_count": records + 2})))
    lines.append(templates["TRL"].render(Context({"transaction_count": len(works),
                                                  "record_count": records + 4})))
    return "".join(lines)
