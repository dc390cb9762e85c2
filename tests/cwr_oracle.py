"""CWR files read by CWR-DataApi (WESO's `cwr-api`, module `cwr`), a parser this project did
not write: its pyparsing grammar checks every record's fields (lengths, numbers, dates, the
CISAC lookup tables: society codes, TIS territories, roles, title types, …) and the file's
structure (HDR, groups of transactions of their GRH's type, GRT, TRL).

Two defects of the package (last released in 2017) are bridged here, neither touching its
grammar: it calls `yaml.load` without the `Loader` PyYAML 6 requires, and its decoders of
SPU/OPU and SWR/OWR records look up named results its grammar does not make (a KeyError
however valid the record), so such a record is kept as its parsed field values (`Raw`)."""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from typing import Any

import yaml

_load = yaml.load


def _load_with_loader(stream: Any, Loader: Any = yaml.SafeLoader) -> Any:
    return _load(stream, Loader=Loader)


yaml.load = _load_with_loader

import cwr.parser.decoder.file as cwr_file  # noqa: E402


@dataclass(frozen=True)
class Raw:
    """A record the grammar parsed whose decoder failed: its field values, in order."""

    values: list[Any]

    @property
    def record_type(self) -> str:
        return str(self.values[0])


class _Lenient:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def decode(self, data: Any) -> Any:
        try:
            return self.inner.decode(data)
        except KeyError:
            return Raw(list(data))


_record_decoders = cwr_file._default_record_decoders
cwr_file._default_record_decoders = lambda: {
    name: _Lenient(decoder) for name, decoder in _record_decoders().items()
}


@functools.lru_cache(maxsize=1)
def _decoder() -> Any:
    # Building the grammar takes seconds: once per test session.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return cwr_file.default_file_decoder()


def parse_cwr(name: str, text: str) -> Any:
    """The file as CWR-DataApi reads it (a `cwr.file.CWRFile`); raises on a file its grammar
    refuses."""
    with warnings.catch_warnings():
        # pyparsing 3 warns of each pre-PEP 8 name the 2017 grammar calls, thousands a file.
        warnings.simplefilter("ignore", DeprecationWarning)
        return _decoder().decode({"filename": name, "contents": text})


def record_type(record: Any) -> str:
    return record.record_type if isinstance(record, Raw) else str(record.record_type)
