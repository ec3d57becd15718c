"""OpenStack credentials from an openrc file, a clouds.yaml cloud or ``OS_*`` variables.

An openrc file is a shell script, and swiftui never runs it. :func:`parse_openrc` reads
the shapes real openrc files use (``export``/bare assignments, quotes and escapes,
``${VAR:-default}``, ``unset``, ``read -sr``, ``echo``, ``if [ -z "$X" ]; then unset X;
fi``) and refuses anything else with ``file:line``: a command it skipped (``source``,
``curl``, a function) might set a variable, and logging in with guessed credentials is
worse than a clear message pointing to ``--os-cloud`` or exported variables.

Decisions:

- ``$(...)`` and backticks are never run; a value built from them, from a ``read`` or from
  a variable the file does not set is *unknown*. ``$VAR`` means the file's own earlier
  assignment, never the process environment, so reading a file gives the same result for
  everyone. A bare ``OS_X=value`` counts as exported: that is what its author meant.
- Inside double quotes a backslash also escapes ``!`` and ``'``: Horizon's shellfilter
  writes them so, and the value it meant has no backslash (bash would keep it).
- Keystone v2.0 is retired (OVH switched it off in 2020); a v2 file is tried against v3
  on the same host, with a warning.
- A secret comes from ``OS_PASSWORD`` (``OS_APPLICATION_CREDENTIAL_SECRET``) in the
  environment, then from the file, then from ``ask_password``; without any of them we
  fail at once rather than wait for input that cannot come.
"""

from __future__ import annotations

import getpass
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import SplitResult, urlsplit, urlunsplit

from swiftui.errors import CredentialsError

MAX_OPENRC_BYTES = 1024 * 1024
PASSWORD_AUTH = "password"
APPLICATION_CREDENTIAL_AUTH = "v3applicationcredential"
DEFAULT_DOMAIN = "Default"

_PASSWORD_AUTH_TYPES = {PASSWORD_AUTH, "v3password"}
_SECRET_VARIABLES = {
    "password": "OS_PASSWORD",
    "application_credential_secret": "OS_APPLICATION_CREDENTIAL_SECRET",
}
_INTERFACES = ("public", "internal", "admin")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.DOTALL)
_SPECIAL_PARAMETERS = "0123456789?@*#$!-"
_WORD_END = " \t\r\n;&|<>()"
_KEYWORDS = {"if", "then", "else", "elif", "fi"}
_SECRET_IN_TEXT = re.compile(
    r"""(\w*(?:PASSWORD|SECRET|TOKEN|PASSCODE)\w*=)("(?:[^"\\]|\\.)*"|'[^']*'|\S*)""",
    re.IGNORECASE,
)
_COMMAND_REASON = "comes from a command ($(...) or backticks), which swiftui never runs"


def _is_secret(key: str) -> bool:
    return any(word in key.lower() for word in ("password", "secret", "token", "passcode"))


def _hide_secrets(values: Mapping[str, str]) -> dict[str, str]:
    return {key: "***" if _is_secret(key) else value for key, value in values.items()}


def _redact(text: str) -> str:
    """A source line fit for a message: secret assignments masked, at most 80 characters."""
    text = _SECRET_IN_TEXT.sub(r"\1***", text.strip())
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True, repr=False)
class Credentials:
    """Everything keystoneauth needs to log in; its text form never shows a secret."""

    source: str
    auth_type: str
    auth: dict[str, str]
    region_name: str | None = None
    interface: str = "public"
    verify: bool | str = True
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (
            f"Credentials(source={self.source!r}, auth_type={self.auth_type!r}, "
            f"auth={_hide_secrets(self.auth)!r}, region_name={self.region_name!r}, "
            f"interface={self.interface!r}, verify={self.verify!r}, warnings={self.warnings!r})"
        )

    def with_password(self, password: str) -> Credentials:
        """The same credentials with another secret, e.g. after Keystone refused one."""
        option = (
            "application_credential_secret"
            if self.auth_type == APPLICATION_CREDENTIAL_AUTH
            else "password"
        )
        return replace(self, auth={**self.auth, option: password})


@dataclass(frozen=True, repr=False)
class OpenrcFile:
    """What an openrc file sets, read without a shell."""

    path: Path
    values: dict[str, str]
    unknown: set[str]
    password_prompt: bool
    lines: dict[str, int]
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"OpenrcFile(path={self.path!r}, values={_hide_secrets(self.values)!r}, "
            f"unknown={self.unknown!r}, password_prompt={self.password_prompt!r})"
        )


# --- reading an openrc file -------------------------------------------------------------


@dataclass(frozen=True)
class _Literal:
    text: str
    quoted: bool


@dataclass(frozen=True)
class _Reference:
    """``$name``, ``${name}``, ``${name-default}`` or ``${name:-default}``."""

    name: str
    default: tuple[_Part, ...] | None = None
    default_if_empty: bool = False


@dataclass(frozen=True)
class _Substitution:
    """``$(...)``, backticks or ``$((...))``: never run, so the value is unknown."""

    text: str


_Part = _Literal | _Reference | _Substitution


@dataclass(frozen=True)
class _Word:
    parts: tuple[_Part, ...]
    line: int

    def plain(self) -> str | None:
        """The text of a word made of unquoted characters only (a command, a keyword)."""
        if len(self.parts) == 1 and isinstance(self.parts[0], _Literal):
            literal = self.parts[0]
            return None if literal.quoted else literal.text
        return None


@dataclass(frozen=True)
class _Separator:
    line: int


@dataclass(frozen=True)
class _Keyword:
    word: str
    line: int


@dataclass(frozen=True)
class _Command:
    words: tuple[_Word, ...]

    @property
    def line(self) -> int:
        return self.words[0].line


@dataclass(frozen=True)
class _If:
    line: int
    condition: _Command
    then: tuple[_Node, ...]
    otherwise: tuple[_Node, ...]


_Node = _Command | _If


@dataclass(frozen=True)
class _Script:
    """The file's text, to build errors that point at a line."""

    path: Path
    text: str

    def error(self, line: int, message: str) -> CredentialsError:
        source_line = self.text.split("\n")[line - 1]
        return CredentialsError(f"{self.path}:{line}: {message}: {_redact(source_line)}")


def _read_openrc_text(path: Path) -> str:
    if path.is_dir():
        raise CredentialsError(f"{path}: is a directory, not an openrc file")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_OPENRC_BYTES + 1)
    except FileNotFoundError:
        raise CredentialsError(f"{path}: no such file") from None
    except OSError as error:
        raise CredentialsError(f"{path}: cannot read: {error.strerror}") from None
    if len(data) > MAX_OPENRC_BYTES:
        raise CredentialsError(f"{path}: larger than 1 MiB, not an openrc file")
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise CredentialsError(f"{path}:{line}: binary data (NUL byte), not an openrc file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CredentialsError(f"{path}:{line}: not UTF-8 text, not an openrc file") from None
    if not text.strip():
        raise CredentialsError(f"{path}: empty file, not an openrc file")
    return text.replace("\r\n", "\n")


class _Lexer:
    """Splits the script into words (quotes and expansions kept apart) and separators."""

    def __init__(self, script: _Script) -> None:
        self.script = script
        self.text = script.text
        self.pos = 0
        self.line = 1

    def peek(self, count: int = 1) -> str:
        return self.text[self.pos : self.pos + count]

    def take(self, count: int = 1) -> str:
        taken = self.text[self.pos : self.pos + count]
        self.pos += len(taken)
        self.line += taken.count("\n")
        return taken

    def tokens(self) -> list[_Word | _Separator]:
        tokens: list[_Word | _Separator] = []
        while self.pos < len(self.text):
            char = self.peek()
            if char in " \t\r":
                self.take()
            elif self.peek(2) == "\\\n":
                self.take(2)
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            elif char in "\n;":
                if self.peek(2) == ";;":
                    raise self.script.error(self.line, "unsupported shell syntax")
                tokens.append(_Separator(self.line))
                self.take()
            elif char in "&|<>()":
                raise self.script.error(self.line, "unsupported shell syntax")
            else:
                line = self.line
                tokens.append(_Word(tuple(self.parts(_WORD_END)), line))
        return tokens

    def parts(self, stop: str) -> list[_Part]:
        """Parts of an unquoted word, up to an unquoted character of ``stop``."""
        parts: list[_Part] = []
        while self.pos < len(self.text) and self.peek() not in stop:
            char = self.peek()
            if char == "'":
                _add_literal(parts, self.single_quoted(), quoted=True)
            elif char == '"':
                for part in self.double_quoted():
                    _add_part(parts, part)
            elif char == "\\":
                self.take()
                escaped = self.take()
                if escaped != "\n":
                    _add_literal(parts, escaped, quoted=True)
            elif char == "$":
                _add_part(parts, self.dollar(quoted=False))
            elif char == "`":
                parts.append(self.backticks())
            else:
                _add_literal(parts, self.take(), quoted=False)
        return parts

    def single_quoted(self) -> str:
        line = self.line
        end = self.text.find("'", self.pos + 1)
        if end < 0:
            raise self.script.error(line, "unterminated quote")
        self.take()
        text = self.take(end - self.pos)
        self.take()
        return text

    def double_quoted(self) -> list[_Part]:
        line = self.line
        self.take()
        parts: list[_Part] = []
        while (char := self.peek()) != '"':
            if not char:
                raise self.script.error(line, "unterminated quote")
            if char == "\\":
                self.take()
                escaped = self.take()
                if escaped in "\\`$\"!'":
                    _add_literal(parts, escaped, quoted=True)
                elif escaped != "\n":
                    _add_literal(parts, "\\" + escaped, quoted=True)
            elif char == "$":
                _add_part(parts, self.dollar(quoted=True))
            elif char == "`":
                parts.append(self.backticks())
            else:
                _add_literal(parts, self.take(), quoted=True)
        self.take()
        return parts

    def dollar(self, *, quoted: bool) -> _Part:
        line = self.line
        self.take()
        char = self.peek()
        if char == "(":
            return _Substitution("$" + self.balanced(line))
        if char == "{":
            return self.braced(line)
        name = _NAME.match(self.text, self.pos)
        if name:
            return _Reference(self.take(name.end() - self.pos))
        if char and char in _SPECIAL_PARAMETERS:
            return _Reference(self.take())
        if char == "'" and not quoted:
            raise self.script.error(line, "unsupported $'...' quoting")
        return _Literal("$", quoted)

    def balanced(self, line: int) -> str:
        """``(...)`` with nested parentheses and quotes, returned whole and never run."""
        start = self.pos
        depth = 0
        while self.pos < len(self.text):
            char = self.take()
            if char == "\\":
                self.take()
            elif char in "'\"":
                end = self.text.find(char, self.pos)
                if end < 0:
                    break
                self.take(end + 1 - self.pos)
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    return self.text[start : self.pos]
        raise self.script.error(line, "unterminated $(")

    def braced(self, line: int) -> _Reference:
        self.take()
        name = _NAME.match(self.text, self.pos)
        if name:
            name_text = self.take(name.end() - self.pos)
        elif self.peek() and self.peek() in _SPECIAL_PARAMETERS and self.peek(2)[1:] == "}":
            name_text = self.take()
        else:
            raise self.script.error(line, "unsupported parameter expansion")
        if self.peek() == "}":
            self.take()
            return _Reference(name_text)
        default_if_empty = self.peek(2) == ":-"
        if not default_if_empty and self.peek() != "-":
            raise self.script.error(line, "unsupported parameter expansion")
        self.take(2 if default_if_empty else 1)
        default = tuple(self.parts("}"))
        if self.take() != "}":
            raise self.script.error(line, "unterminated ${")
        return _Reference(name_text, default, default_if_empty)

    def backticks(self) -> _Substitution:
        line = self.line
        start = self.pos
        self.take()
        while self.pos < len(self.text):
            char = self.take()
            if char == "\\":
                self.take()
            elif char == "`":
                return _Substitution(self.text[start : self.pos])
        raise self.script.error(line, "unterminated backtick")


def _add_literal(parts: list[_Part], text: str, *, quoted: bool) -> None:
    _add_part(parts, _Literal(text, quoted))


def _add_part(parts: list[_Part], part: _Part) -> None:
    """Append, merging neighbour literals of the same quoting so words stay easy to match."""
    last = parts[-1] if parts else None
    if isinstance(part, _Literal) and isinstance(last, _Literal) and last.quoted == part.quoted:
        parts[-1] = _Literal(last.text + part.text, part.quoted)
    else:
        parts.append(part)


def _statements(tokens: list[_Word | _Separator]) -> list[_Command | _Keyword]:
    """Group words into commands; ``if``/``then``/``else``/``fi`` first in a command stand apart."""
    items: list[_Command | _Keyword] = []
    words: list[_Word] = []
    for token in [*tokens, _Separator(0)]:
        if isinstance(token, _Separator):
            if words:
                items.append(_Command(tuple(words)))
            words = []
        elif not words and token.plain() in _KEYWORDS:
            items.append(_Keyword(token.plain() or "", token.line))
        else:
            words.append(token)
    return items


class _Parser:
    """Builds the statement tree: plain commands and ``if ...; then ...; [else ...;] fi``."""

    def __init__(self, script: _Script, items: list[_Command | _Keyword]) -> None:
        self.script = script
        self.items = items
        self.index = 0

    def program(self) -> tuple[_Node, ...]:
        return self.block(closers=set())

    def block(self, closers: set[str]) -> tuple[_Node, ...]:
        nodes: list[_Node] = []
        while self.index < len(self.items):
            item = self.items[self.index]
            if isinstance(item, _Command):
                nodes.append(item)
                self.index += 1
            elif item.word in closers:
                break
            elif item.word == "if":
                nodes.append(self.if_statement(item))
            else:
                raise self.script.error(item.line, f"unexpected '{item.word}'")
        return tuple(nodes)

    def if_statement(self, start: _Keyword) -> _If:
        self.index += 1
        condition = self.next_item()
        if not isinstance(condition, _Command):
            raise self.script.error(start.line, "'if' without a condition")
        self.expect(start, {"then"})
        then = self.block({"else", "elif", "fi"})
        closer = self.expect(start, {"else", "elif", "fi"})
        if closer.word == "elif":
            raise self.script.error(closer.line, "unsupported 'elif'")
        otherwise: tuple[_Node, ...] = ()
        if closer.word == "else":
            otherwise = self.block({"fi"})
            self.expect(start, {"fi"})
        return _If(start.line, condition, then, otherwise)

    def next_item(self) -> _Command | _Keyword | None:
        if self.index >= len(self.items):
            return None
        self.index += 1
        return self.items[self.index - 1]

    def expect(self, start: _Keyword, words: set[str]) -> _Keyword:
        item = self.next_item()
        if not isinstance(item, _Keyword) or item.word not in words:
            raise self.script.error(start.line, "'if' not understood or not closed by 'fi'")
        return item


@dataclass(frozen=True)
class _Value:
    text: str | None  # None: only a shell could tell
    prompted: bool = False  # typed at a ``read`` prompt
    reason: str = ""  # why the text is unknown


class _Interpreter:
    """Runs the statement tree on variables alone; no process is ever started."""

    def __init__(self, script: _Script) -> None:
        self.script = script
        self.variables: dict[str, _Value] = {}
        self.cleared: set[str] = set()
        self.exported: set[str] = set()
        self.lines: dict[str, int] = {}
        self.warnings: list[str] = []

    def run(self, nodes: tuple[_Node, ...]) -> None:
        for node in nodes:
            if isinstance(node, _If):
                self.run_if(node)
            else:
                self.run_command(node)

    def run_if(self, statement: _If) -> None:
        holds = self.test(statement.condition)
        if holds is None:
            self.warnings.append(
                f"{self.script.path}:{statement.line}: the 'if' tests a value only a shell "
                "could know; both branches are skipped"
            )
        else:
            self.run(statement.then if holds else statement.otherwise)

    def test(self, condition: _Command) -> bool | None:
        words = list(condition.words)
        first, last = words[0].plain(), words[-1].plain()
        if (first, last) in (("[", "]"), ("[[", "]]")):
            words = words[1:-1]
        elif first == "test":
            words = words[1:]
        else:
            raise self.script.error(condition.line, "only [ ... ] conditions are understood")
        negate = bool(words) and words[0].plain() == "!"
        values = [self.evaluate(word.parts).text for word in words[int(negate) :]]
        if None in values:
            return None
        texts = [text or "" for text in values]
        if len(texts) == 1:
            holds = texts[0] != ""
        elif len(texts) == 2 and texts[0] in ("-z", "-n"):
            holds = (texts[1] == "") == (texts[0] == "-z")
        elif len(texts) == 3 and texts[1] in ("=", "==", "!="):
            holds = (texts[0] == texts[2]) == (texts[1] != "!=")
        else:
            raise self.script.error(condition.line, "unsupported test")
        return holds != negate

    def run_command(self, command: _Command) -> None:
        words = command.words
        assignments = 0
        while assignments < len(words) and _split_assignment(words[assignments]):
            assignments += 1
        if assignments == len(words):
            for word in words:
                self.assign(word, export=False)
            return
        # Assignments before a command only last for that command: nothing to keep.
        name, arguments = words[assignments].plain(), words[assignments + 1 :]
        if name in ("echo", "printf"):
            return
        if name == "export":
            self.export(command, arguments)
        elif name == "unset":
            self.unset(command, arguments)
        elif name == "read":
            self.read(command, arguments)
        else:
            raise self.script.error(command.line, "swiftui runs no shell command, cannot use")

    def export(self, command: _Command, arguments: tuple[_Word, ...]) -> None:
        for word in arguments:
            plain = word.plain()
            if _split_assignment(word):
                self.assign(word, export=True)
            elif plain and _NAME.fullmatch(plain):
                self.exported.add(plain)
            else:
                raise self.script.error(command.line, "unsupported export")

    def unset(self, command: _Command, arguments: tuple[_Word, ...]) -> None:
        for word in arguments:
            plain = word.plain() or ""
            if plain == "-f":
                return  # functions: the file defines none we would know of
            if plain == "-v":
                continue
            if not _NAME.fullmatch(plain):
                raise self.script.error(command.line, "unsupported unset")
            self.variables.pop(plain, None)
            self.lines.pop(plain, None)
            self.exported.discard(plain)
            self.cleared.add(plain)

    def read(self, command: _Command, arguments: tuple[_Word, ...]) -> None:
        names: list[str] = []
        skip_prompt = False
        for word in arguments:
            plain = word.plain()
            if skip_prompt:
                skip_prompt = False
            elif plain and plain.startswith("-") and not names:
                flags = plain[1:]
                letters = flags.split("p", 1)[0]
                if not flags or set(letters) - set("sre"):
                    raise self.script.error(command.line, "unsupported read option")
                skip_prompt = flags == letters + "p"  # "-p PROMPT": the prompt is the next word
            elif plain and _NAME.fullmatch(plain):
                names.append(plain)
            else:
                raise self.script.error(command.line, "unsupported read")
        for name in names or ["REPLY"]:
            self.set(name, _Value(None, prompted=True, reason="is typed at a prompt"), command.line)

    def assign(self, word: _Word, *, export: bool) -> None:
        name, parts = _split_assignment(word) or ("", ())
        self.set(name, self.evaluate(parts), word.line)
        if export:
            self.exported.add(name)

    def set(self, name: str, value: _Value, line: int) -> None:
        self.variables[name] = value
        self.cleared.discard(name)
        self.lines[name] = line
        if value.text is None and not value.prompted and name.startswith("OS_"):
            self.warnings.append(
                f"{self.script.path}:{line}: {name} {value.reason}; its value is unknown"
            )

    def evaluate(self, parts: tuple[_Part, ...]) -> _Value:
        values = [self.expand(part) for part in parts]
        unknown = [value for value in values if value.text is None]
        if unknown:
            prompted = any(value.prompted for value in unknown)
            return _Value(None, prompted, unknown[0].reason)
        return _Value("".join(value.text or "" for value in values))

    def expand(self, part: _Part) -> _Value:
        if isinstance(part, _Literal):
            return _Value(part.text)
        if isinstance(part, _Substitution):
            return _Value(None, reason=_COMMAND_REASON)
        current = self.variables.get(part.name)
        if current is None:
            if part.default is not None:
                return self.evaluate(part.default)
            if part.name in self.cleared:
                return _Value("")
            return _Value(None, reason=f"uses ${part.name}, which the file does not set")
        if current.text == "" and part.default is not None and part.default_if_empty:
            return self.evaluate(part.default)
        return current

    def result(self) -> OpenrcFile:
        if not any(name.startswith("OS_") for name in self.variables):
            raise CredentialsError(f"{self.script.path}: sets no OS_ variable, not an openrc file")
        password = self.variables.get("OS_PASSWORD")
        return OpenrcFile(
            path=self.script.path,
            values={
                name: value.text
                for name, value in self.variables.items()
                if value.text is not None and (name in self.exported or name.startswith("OS_"))
            },
            unknown={name for name, value in self.variables.items() if value.text is None},
            password_prompt=password is not None and password.prompted,
            lines=dict(self.lines),
            warnings=list(self.warnings),
        )


def _split_assignment(word: _Word) -> tuple[str, tuple[_Part, ...]] | None:
    first = word.parts[0] if word.parts else None
    if not isinstance(first, _Literal) or first.quoted:
        return None
    match = _ASSIGNMENT.fullmatch(first.text)
    if not match:
        return None
    rest = (_Literal(match[2], quoted=False),) if match[2] else ()
    return match[1], rest + word.parts[1:]


def parse_openrc(path: Path) -> OpenrcFile:
    """Read an openrc file without running it; unsupported lines raise with ``file:line``."""
    script = _Script(path, _read_openrc_text(path))
    nodes = _Parser(script, _statements(_Lexer(script).tokens())).program()
    interpreter = _Interpreter(script)
    interpreter.run(nodes)
    return interpreter.result()


# --- from settings to Credentials --------------------------------------------------------


@dataclass
class _Draft:
    """Settings read from one source, before the checks and the secret common to all."""

    source: str
    label: str  # how messages name the source: a file, "environment", a cloud
    auth_type: str
    auth: dict[str, str]
    region_name: str | None
    interface: str
    verify: bool | str
    identity_version: str | None
    os_variables: bool  # settings are OS_* variables (else clouds.yaml keys)
    setting_names: dict[str, str] = field(default_factory=dict)  # option -> name used
    lines: Mapping[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def setting(self, option: str) -> str:
        """How the user spells ``option``: ``OS_TENANT_NAME``, ``auth.username`` ..."""
        if option in self.setting_names:
            return self.setting_names[option]
        if self.os_variables:
            return f"OS_{option.upper()}"
        return option if option == "cacert" else f"auth.{option}"

    def at(self, option: str) -> str:
        line = self.lines.get(self.setting(option))
        return f"{self.label}:{line}" if line else self.label


class _Variables:
    """``OS_*`` values of an openrc file or the environment, with where each was set."""

    def __init__(
        self,
        label: str,
        values: Mapping[str, str],
        unknown: set[str] | None = None,
        lines: Mapping[str, int] | None = None,
    ) -> None:
        self.label = label
        self.values = values
        self.unknown = unknown or set()
        self.lines = lines or {}

    def get(self, name: str) -> str | None:
        """The value, None when unset or empty; a secret only a shell knows is left to ask."""
        if name in self.unknown and name not in _SECRET_VARIABLES.values():
            raise CredentialsError(
                f"{self.at(name)}: {name} needs a shell to compute (a command, `read` or a "
                "variable the file does not set); write its value in the file"
            )
        return self.values.get(name) or None

    def at(self, name: str) -> str:
        line = self.lines.get(name)
        return f"{self.label}:{line}" if line else self.label


def _from_variables(variables: _Variables, *, source: str, warnings: list[str]) -> _Draft:
    """Map ``OS_*`` variables the way the openstack and swift CLIs read them."""
    auth_type = variables.get("OS_AUTH_TYPE") or PASSWORD_AUTH
    if auth_type in _PASSWORD_AUTH_TYPES:
        auth_type = PASSWORD_AUTH
    elif auth_type != APPLICATION_CREDENTIAL_AUTH:
        raise CredentialsError(
            f"{variables.at('OS_AUTH_TYPE')}: OS_AUTH_TYPE {auth_type!r} is not supported here; "
            "use password or v3applicationcredential, or a clouds.yaml cloud (--os-cloud)"
        )
    auth: dict[str, str] = {}
    setting_names: dict[str, str] = {}

    def pick(option: str, *names: str) -> None:
        found = [(name, value) for name in names if (value := variables.get(name)) is not None]
        if found:
            setting_names[option], auth[option] = found[0]
        if len({value for _, value in found}) > 1:
            warnings.append(f"{variables.label}: {found[1][0]} ignored, {found[0][0]} wins")

    options = ["auth_url", "username", "user_id", "user_domain_name", "user_domain_id"]
    if auth_type == PASSWORD_AUTH:
        options += ["password", "project_domain_name", "project_domain_id"]
        pick("project_name", "OS_PROJECT_NAME", "OS_TENANT_NAME")
        pick("project_id", "OS_PROJECT_ID", "OS_TENANT_ID")
    else:
        options += ["application_credential_id", "application_credential_name"]
        options += ["application_credential_secret"]
    for option in options:
        pick(option, f"OS_{option.upper()}")

    interface_name = "OS_INTERFACE" if variables.get("OS_INTERFACE") else "OS_ENDPOINT_TYPE"
    interface = variables.get(interface_name) or "public"
    cacert = variables.get("OS_CACERT")
    return _Draft(
        source=source,
        label=variables.label,
        auth_type=auth_type,
        auth=auth,
        region_name=variables.get("OS_REGION_NAME"),
        interface=_interface(interface, where=variables.at(interface_name)),
        verify=cacert or True,
        identity_version=variables.get("OS_IDENTITY_API_VERSION"),
        os_variables=True,
        setting_names=setting_names,
        lines=variables.lines,
        warnings=warnings,
    )


def _interface(value: str, *, where: str) -> str:
    """``public``/``internal``/``admin``; the legacy ``publicURL`` spelling is accepted."""
    interface = value.strip().lower().removesuffix("url")
    if interface not in _INTERFACES:
        raise CredentialsError(f"{where}: interface {value!r} is not public, internal or admin")
    return interface


def _from_cloud(name: str, environ: Mapping[str, str]) -> _Draft:
    """One cloud of clouds.yaml, read by openstacksdk's own loader (profiles, secure.yaml)."""
    # Imported here: openstacksdk takes a while to import and only this path needs it.
    from keystoneauth1 import exceptions as keystoneauth_exceptions
    from openstack import exceptions as sdk_exceptions
    from openstack.config import loader

    config_file = environ.get("OS_CLIENT_CONFIG_FILE")
    secure_file = environ.get("OS_CLIENT_SECURE_FILE")
    files: dict[str, list[str]] = {}
    if config_file:
        if not Path(config_file).is_file():
            raise CredentialsError(f"OS_CLIENT_CONFIG_FILE {config_file}: no such file")
        # The named file is the only one read, so a stray secure.yaml cannot mix in.
        files = {
            "config_files": [config_file],
            "secure_files": [secure_file] if secure_file else [],
        }
    elif secure_file:
        files = {"secure_files": [secure_file, *loader.SECURE_FILES]}
    try:
        config = loader.OpenStackConfig(load_envvars=False, **files)
        found_in = config.config_filename
        if found_in is None:
            if config_file:
                raise CredentialsError(f"{config_file}: cannot be read as a clouds.yaml")
            folders = ", ".join(dict.fromkeys(os.path.dirname(f) for f in loader.CONFIG_FILES))
            raise CredentialsError(
                f"cloud {name!r} not found: no clouds.yaml (.yml, .json) in {folders}"
            )
        names = config.get_cloud_names()
        if name not in names:
            raise CredentialsError(
                f"cloud {name!r} not found in {found_in}; clouds there: "
                + (", ".join(sorted(names)) or "none")
            )
        region = config.get_one(cloud=name)
    except (sdk_exceptions.SDKException, keystoneauth_exceptions.ClientException) as error:
        raise CredentialsError(f"cloud {name!r}: {error}") from None
    settings = region.config
    label = f"cloud {name!r} in {found_in}"
    verify, _client_cert = region.get_requests_verify_args()
    identity_version = settings.get("identity_api_version")
    return _Draft(
        source=f"cloud {name!r} ({found_in})",
        label=label,
        auth_type=settings.get("auth_type") or PASSWORD_AUTH,
        auth={
            key: str(value)
            for key, value in (settings.get("auth") or {}).items()
            if value is not None and value != ""
        },
        region_name=region.region_name or None,
        interface=_interface(settings.get("interface") or "public", where=label),
        verify=verify,
        identity_version=str(identity_version) if identity_version else None,
        os_variables=False,
    )


def _is_keystone_v2(url: SplitResult, identity_version: str | None) -> bool:
    return identity_version in ("2", "2.0") or url.path.rstrip("/").endswith("/v2.0")


def _v3_url(url: SplitResult) -> str:
    """Same host and path prefix, version ``v3``: where the v2 service used to live."""
    path = url.path.rstrip("/")
    for version in ("/v2.0", "/v3"):
        path = path.removesuffix(version)
    return urlunsplit((url.scheme, url.netloc, path + "/v3", "", ""))


def _finish(
    draft: _Draft,
    environ: Mapping[str, str],
    ask_password: Callable[[str], str | None] | None,
) -> Credentials:
    """Checks common to every source, Keystone v2 upgrade, domain defaults and the secret."""
    auth = dict(draft.auth)
    warnings = list(draft.warnings)
    url_text = auth.get("auth_url")
    if not url_text:
        raise CredentialsError(f"{draft.label}: {draft.setting('auth_url')} is not set")
    url = urlsplit(url_text)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise CredentialsError(
            f"{draft.at('auth_url')}: {draft.setting('auth_url')} {url_text!r} "
            "is not an http:// or https:// URL"
        )
    password_auth = draft.auth_type in _PASSWORD_AUTH_TYPES
    application_credential = draft.auth_type == APPLICATION_CREDENTIAL_AUTH
    if password_auth or (application_credential and {"username", "user_id"} & auth.keys()):
        _default_domain(auth, "user")
    if password_auth:
        _default_domain(auth, "project")
    if _is_keystone_v2(url, draft.identity_version):
        auth["auth_url"] = _v3_url(url)
        domain = auth.get("user_domain_name") or auth.get("user_domain_id")
        warnings.append(
            f"{draft.label}: Keystone v2.0 is retired (OVH switched it off in 2020); "
            f"trying v3 at {auth['auth_url']}" + (f" with domain {domain}" if domain else "")
        )
    verify = draft.verify
    if isinstance(verify, str):
        verify = str(Path(verify).expanduser())
        if not Path(verify).is_file():
            raise CredentialsError(
                f"{draft.at('cacert')}: {draft.setting('cacert')} file {verify} not found"
            )
    if password_auth:
        _require(draft, auth, "username", "user_id")
        _require(draft, auth, "project_name", "project_id")
        _resolve_secret(draft, auth, "password", environ, ask_password, warnings)
    elif application_credential:
        _require(draft, auth, "application_credential_id", "application_credential_name")
        if "application_credential_id" not in auth:
            _require(draft, auth, "username", "user_id")
        _resolve_secret(
            draft, auth, "application_credential_secret", environ, ask_password, warnings
        )
    return Credentials(
        source=draft.source,
        auth_type=draft.auth_type,
        auth=auth,
        region_name=draft.region_name,
        interface=draft.interface,
        verify=verify,
        warnings=tuple(warnings),
    )


def _default_domain(auth: dict[str, str], owner: str) -> None:
    """Keystone v3 wants a domain; ``Default`` is the one every single-domain cloud has."""
    if not {f"{owner}_domain_name", f"{owner}_domain_id"} & auth.keys():
        auth[f"{owner}_domain_name"] = DEFAULT_DOMAIN


def _require(draft: _Draft, auth: Mapping[str, str], *options: str) -> None:
    if not any(option in auth for option in options):
        names = " or ".join(draft.setting(option) for option in options)
        raise CredentialsError(f"{draft.label}: {names} is not set")


def _resolve_secret(
    draft: _Draft,
    auth: dict[str, str],
    option: str,
    environ: Mapping[str, str],
    ask_password: Callable[[str], str | None] | None,
    warnings: list[str],
) -> None:
    """Environment, then the source's own literal value, then a prompt; never wait blind."""
    variable = _SECRET_VARIABLES[option]
    from_environment = environ.get(variable)
    written = auth.get(option)
    if from_environment:
        if written and written != from_environment:
            warnings.append(
                f"{draft.label}: {variable} from the environment replaces "
                f"{draft.setting(option)} written there"
            )
        auth[option] = from_environment
        return
    if written:
        return
    if option == "password":
        noun, who = "password", f"user {auth.get('username') or auth.get('user_id')}"
        project = auth.get("project_name") or auth.get("project_id")
        prompt = f"Password for {who} (project {project}): "
    else:
        credential = auth.get("application_credential_id") or auth.get(
            "application_credential_name"
        )
        noun, who = "secret", f"application credential {credential}"
        prompt = f"Secret of {who}: "
    answer = ask_password(prompt) if ask_password else None
    if answer is None:
        raise CredentialsError(f"no {noun} for {who}: set {variable} or run on a terminal")
    if not answer:
        raise CredentialsError(f"empty {noun} for {who}")
    auth[option] = answer


def load_credentials(
    *,
    openrc: Path | None = None,
    cloud: str | None = None,
    environ: Mapping[str, str],
    ask_password: Callable[[str], str | None] | None,
) -> Credentials:
    """Credentials from ``openrc``, else a clouds.yaml cloud, else ``OS_*`` of ``environ``.

    ``environ`` is passed in (never ``os.environ`` read here) so callers and tests decide
    what the environment is; only ``OS_PASSWORD``/``OS_APPLICATION_CREDENTIAL_SECRET`` of
    it overrides a file.
    """
    if openrc is not None:
        parsed = parse_openrc(openrc)
        variables = _Variables(str(openrc), parsed.values, parsed.unknown, parsed.lines)
        draft = _from_variables(variables, source=f"openrc {openrc}", warnings=parsed.warnings)
    elif cloud or environ.get("OS_CLOUD"):
        draft = _from_cloud(cloud or environ["OS_CLOUD"], environ)
    elif environ.get("OS_AUTH_URL"):
        variables = _Variables(
            "environment", {k: v for k, v in environ.items() if k.startswith("OS_")}
        )
        draft = _from_variables(variables, source="environment", warnings=[])
    else:
        raise CredentialsError(
            "no credentials: pass --openrc FILE or --os-cloud NAME, "
            "or set OS_AUTH_URL and the other OS_* variables"
        )
    return _finish(draft, environ, ask_password)


def terminal_password_prompt(prompt: str) -> str | None:
    """Ask on the terminal without echo; None when there is no terminal to ask on."""
    if sys.stdin is None or not sys.stdin.isatty():
        return None
    try:
        return getpass.getpass(prompt)
    except EOFError:
        return None
