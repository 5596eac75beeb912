"""Reading what a user hands Parley: bounded reads of regular files, plain text, plain YAML.

Every file Parley reads because a user named it (a scenario and the bases it extends, a sweep
file, a pool CSV, reference data) goes through :func:`read_text`. It refuses, with one
:class:`~sim.errors.Problem` and before reading a byte, anything that is not a regular file
(a folder, ``/dev/zero``, a FIFO that would block forever), and it never reads more than a
limit, so neither an endless device nor a huge file can exhaust memory. What it returns is
UTF-8 text without control characters, so no parser downstream sees binary data.

YAML goes through :func:`compose_yaml` and :func:`construct_yaml`, PyYAML's safe loader with
its work bounded. Anchors and aliases (``&a``, ``*a``) stay allowed, because ``yaml.safe_dump``
writes them for any value a Python dict holds twice; but the values aliases repeat are counted
as the file is composed, and more than :data:`ALIAS_BUDGET` of them (an alias bomb: a few
hundred bytes that expand to gigabytes) is refused, as is an alias inside the value it names
(a structure that contains itself). Nesting is bounded by :data:`MAX_DEPTH`, with aliases
expanded. Tags other than YAML's own are refused. Values resolve as PyYAML resolves them (YAML
1.1: ``yes`` is true, ``1e6`` is text), so that whatever ``yaml.safe_dump`` writes reads back
the same.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import yaml

from sim.errors import ParleyError, Problem, ScenarioError, shorten

MAX_YAML_BYTES = 256 << 10
"""Largest YAML file read (256 KiB, 25 times the largest shipped scenario; PyYAML takes about
two seconds to parse that much)."""
MAX_CSV_BYTES = 512 << 20
"""Largest CSV read (512 MiB: the largest pool allowed, 5 million prisoners, is ~200 MB)."""
MAX_DEPTH = 20
"""Deepest nesting of YAML values, aliases expanded (scenario files need 5)."""
ALIAS_BUDGET = 10_000
"""Most values that aliases may repeat in one YAML document."""

# Characters YAML itself allows in a stream (YAML 1.2, 5.1), for any text Parley reads.
_NOT_TEXT = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Characters a value may not hold even when YAML escapes produce them ("\a", "\e", "\x9b",
# "\ud800"): terminal controls, NUL, and halves of surrogate pairs, which no output can
# encode (the command line hands Python invalid UTF-8 as those). Tabs and newlines are text.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def control_name(char: str) -> str:
    """A character no text may hold, as a reader can name it (``control character U+0007``)."""
    kind = "unpaired surrogate" if 0xD800 <= ord(char) <= 0xDFFF else "control character"
    return f"{kind} U+{ord(char):04X}"


def _where(text: str | bytes, index: int) -> tuple[int, int]:
    """1-based line and column of position ``index`` of ``text`` (characters or bytes)."""
    newline = b"\n" if isinstance(text, bytes) else "\n"
    line = text.count(newline, 0, index) + 1
    return line, index - (text.rfind(newline, 0, index) + 1) + 1


_recorders: list[dict[str, str]] = []
"""The open :func:`recording_reads` blocks, each gathering the files read in it."""


@contextmanager
def recording_reads() -> Iterator[dict[str, str]]:
    """Gather the files :func:`read_text` reads in this block: absolute path → SHA-256.

    A finished sweep keeps what its inputs were, so that the same command finds it has
    nothing to do by hashing them again (:mod:`sim.sweep.resume`).
    """
    seen: dict[str, str] = {}
    _recorders.append(seen)
    try:
        yield seen
    finally:
        _recorders.pop()  # blocks nest: the last opened closes first


def read_text(path: str | Path, *, limit: int, expected: str, field: str = "",
              named_in: tuple[str, int | None, str] | None = None,
              error: type[ParleyError] = ScenarioError) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes, without control characters.

    Args:
        path: the file.
        limit: most bytes read; a larger file is refused.
        expected: what the file should be, for the problem's ``allowed`` (``"a CSV file"``);
            the problems add "in UTF-8", "of printable text" or a size as they need.
        field: the field or option that named the file.
        named_in: ``(file, line, as written)`` of the reference to ``path`` when a problem
            belongs there (an ``extends:`` line); by default a problem names ``path`` itself.
        error: the error class to raise.

    Raises:
        ParleyError: (``error``) with one problem: missing, unreadable, not a regular file,
            too large, not UTF-8 or holding a control character.
    """
    path = Path(path)

    def refuse(message: str, allowed: str = expected, line: int | None = None) -> NoReturn:
        if named_in is None:
            raise error([Problem(shorten(str(path), 300), field, message, allowed, line)])
        file, at, written = named_in
        raise error([Problem(file, field, f"{shorten(repr(written))} {message}", allowed, at)])

    try:
        # Non-blocking, so that opening a FIFO returns at once; fstat then refuses it. Checking
        # the open file rather than the name leaves no gap in which the name could change.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        refuse("cannot be read: file not found")
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        refuse(f"cannot be read ({getattr(exc, 'strerror', None) or exc})")
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        refuse("is a folder" if stat.S_ISDIR(mode)
               else "is not a regular file (a device, FIFO or socket)")
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(limit + 1)  # a size from stat can lie (/proc): read one more
        except OSError as exc:
            refuse(f"cannot be read ({exc.strerror or exc})")
    if len(data) > limit:
        refuse(f"is larger than {limit:,} bytes", f"{expected} of at most {limit:,} bytes")
    for seen in _recorders:
        seen[str(path.resolve())] = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _where(data, exc.start)
        refuse(f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}, column "
               f"{column})", f"{expected} in UTF-8", line)
    bad = _NOT_TEXT.search(text)
    if bad:
        line, column = _where(text, bad.start())
        refuse(f"holds {control_name(bad.group())} at line {line}, "
               f"column {column}", f"{expected} of printable text", line)
    return text.removeprefix("\ufeff")  # a byte-order mark is not content


class _Refused(yaml.MarkedYAMLError):
    """YAML that parses but that Parley does not take (an alias bomb, deep nesting, a tag)."""

    def __init__(self, problem: str, allowed: str, mark: yaml.Mark) -> None:
        super().__init__(None, None, problem, mark)
        self.allowed = allowed


_CORE_TAGS = {f"tag:yaml.org,2002:{t}" for t in
              ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")}


class PlainLoader(yaml.SafeLoader):
    """PyYAML's safe loader with the work bounded: aliases, nesting and tags.

    Each node is measured as it is composed, with aliases expanded: how many values it holds
    and how deep it goes. Its children are composed (and measured) first, so measuring costs
    one step per node and never recurses, whatever the aliases would expand to.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0                  # nesting while composing, as written
        self._open: list[str] = []       # anchors whose value is being composed
        self._size: dict[int, tuple[int, int]] = {}  # node id -> (values, depth), expanded
        self._written = 0                # values as written

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose one node; refuse a self-containing alias, deep nesting, an alias bomb, a tag."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) and event.anchor in self._open:
            raise _Refused(f"alias *{shorten(event.anchor, 40)} is inside the value it names",
                           "aliases to values that end before them", event.start_mark)
        anchor = None if isinstance(event, yaml.AliasEvent) else event.anchor
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(f"nested deeper than {MAX_DEPTH} levels",
                           f"at most {MAX_DEPTH} levels of nesting", event.start_mark)
        if anchor is not None:
            self._open.append(anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open.pop()
        if isinstance(event, yaml.AliasEvent):
            return node  # measured when its anchor was composed
        if node.tag not in _CORE_TAGS:
            raise _Refused(f"tag {shorten(node.tag, 40)} is not supported",
                           "plain values, lists and mappings (no tags)", node.start_mark)
        self._measure(node)
        return node

    def _measure(self, node: yaml.Node) -> None:
        self._written += 1
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            children = node.value if isinstance(node, yaml.SequenceNode) else []
        sizes = [self._size[id(child)] for child in children]
        size = 1 + sum(values for values, _ in sizes)
        depth = 1 + max((levels for _, levels in sizes), default=0)
        self._size[id(node)] = (size, depth)
        if depth > MAX_DEPTH:
            raise _Refused(f"nested deeper than {MAX_DEPTH} levels once aliases are expanded",
                           f"at most {MAX_DEPTH} levels of nesting", node.start_mark)
        if size > self._written + ALIAS_BUDGET:
            raise _Refused(f"aliases repeat more than {ALIAS_BUDGET:,} values",
                           f"aliases that repeat at most {ALIAS_BUDGET:,} values in all",
                           node.start_mark)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Construct one node; a value Python cannot hold (``2020-02-30``) is a YAML error.

        PyYAML's constructors fail in several ways on values their tag does not fit
        (``!!bool x`` a KeyError, ``!!timestamp x`` an AttributeError).
        """
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError, TypeError, AttributeError, KeyError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{shorten(repr(node.value))} cannot be read ({shorten(str(exc))})",
                node.start_mark) from None


def compose_yaml(text: str) -> yaml.Node | None:
    """The node tree of one YAML document (None if empty), read with :class:`PlainLoader`.

    Raises:
        yaml.YAMLError: when the text is not YAML or is refused by :class:`PlainLoader`.
    """
    loader = PlainLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def construct_yaml(node: yaml.Node) -> Any:
    """The Python data of a node tree from :func:`compose_yaml`."""
    loader = PlainLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def yaml_problem(exc: yaml.YAMLError) -> tuple[str, str, int | None]:
    """What was wrong with some YAML, what is allowed, and the line, from a YAML error."""
    if isinstance(exc, _Refused):
        mark = exc.problem_mark
        return (f"{exc.problem} (line {mark.line + 1}, column {mark.column + 1})", exc.allowed,
                mark.line + 1)
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "").split())
        if mark is None:
            return f"malformed YAML: {shorten(problem)}", "valid YAML", None
        return (f"malformed YAML at line {mark.line + 1}, column {mark.column + 1}: "
                f"{shorten(problem)}", "valid YAML", mark.line + 1)
    return f"malformed YAML: {shorten(' '.join(str(exc).split()))}", "valid YAML", None


def yaml_value(text: str) -> Any:
    """A command-line value read as plain YAML (``40`` → int, ``true`` → bool).

    Text that is not plain YAML stays text, so the schema reports it as a wrong value.
    """
    try:
        node = compose_yaml(text)
        return None if node is None else construct_yaml(node)
    except yaml.YAMLError:
        return text
