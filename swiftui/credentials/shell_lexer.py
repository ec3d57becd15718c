"""The words of an openrc file, split as a shell would split them, with nothing run.

A word keeps its quoted and unquoted pieces, ``$NAME``/``${NAME:-default}`` references and
``$(...)``/backtick substitutions apart, so the interpreter can tell a value the file
spells out from one only a shell could compute. Anything beyond the subset real openrc
files use (pipes, redirections, ``$'...'``) is refused with ``file:line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from swiftui.credentials.model import redact
from swiftui.errors import CredentialsError

MAX_OPENRC_BYTES = 1024 * 1024
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPECIAL_PARAMETERS = "0123456789?@*#$!-"
_WORD_END = " \t\r\n;&|<>()"


@dataclass(frozen=True)
class Literal:
    text: str
    quoted: bool


@dataclass(frozen=True)
class Reference:
    """``$name``, ``${name}``, ``${name-default}`` or ``${name:-default}``."""

    name: str
    default: tuple[Part, ...] | None = None
    default_if_empty: bool = False


@dataclass(frozen=True)
class Substitution:
    """``$(...)``, backticks or ``$((...))``: never run, so the value is unknown."""

    text: str


Part = Literal | Reference | Substitution


@dataclass(frozen=True)
class Word:
    parts: tuple[Part, ...]
    line: int

    def plain(self) -> str | None:
        """The text of a word made of unquoted characters only (a command, a keyword)."""
        if len(self.parts) == 1 and isinstance(self.parts[0], Literal):
            literal = self.parts[0]
            return None if literal.quoted else literal.text
        return None


@dataclass(frozen=True)
class Separator:
    line: int


@dataclass(frozen=True)
class Script:
    """The file's text, to build errors that point at a line."""

    path: Path
    text: str

    def error(self, line: int, message: str) -> CredentialsError:
        source_line = self.text.split("\n")[line - 1]
        return CredentialsError(f"{self.path}:{line}: {message}: {redact(source_line)}")


def read_openrc_text(path: Path) -> str:
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


class Lexer:
    """Splits the script into words (quotes and expansions kept apart) and separators."""

    def __init__(self, script: Script) -> None:
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

    def tokens(self) -> list[Word | Separator]:
        tokens: list[Word | Separator] = []
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
                tokens.append(Separator(self.line))
                self.take()
            elif char in "&|<>()":
                raise self.script.error(self.line, "unsupported shell syntax")
            else:
                line = self.line
                tokens.append(Word(tuple(self.parts(_WORD_END)), line))
        return tokens

    def parts(self, stop: str) -> list[Part]:
        """Parts of an unquoted word, up to an unquoted character of ``stop``."""
        parts: list[Part] = []
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

    def double_quoted(self) -> list[Part]:
        line = self.line
        self.take()
        parts: list[Part] = []
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

    def dollar(self, *, quoted: bool) -> Part:
        line = self.line
        self.take()
        char = self.peek()
        if char == "(":
            return Substitution("$" + self.balanced(line))
        if char == "{":
            return self.braced(line)
        name = NAME.match(self.text, self.pos)
        if name:
            return Reference(self.take(name.end() - self.pos))
        if char and char in _SPECIAL_PARAMETERS:
            return Reference(self.take())
        if char == "'" and not quoted:
            raise self.script.error(line, "unsupported $'...' quoting")
        return Literal("$", quoted)

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

    def braced(self, line: int) -> Reference:
        self.take()
        name = NAME.match(self.text, self.pos)
        if name:
            name_text = self.take(name.end() - self.pos)
        elif self.peek() and self.peek() in _SPECIAL_PARAMETERS and self.peek(2)[1:] == "}":
            name_text = self.take()
        else:
            raise self.script.error(line, "unsupported parameter expansion")
        if self.peek() == "}":
            self.take()
            return Reference(name_text)
        default_if_empty = self.peek(2) == ":-"
        if not default_if_empty and self.peek() != "-":
            raise self.script.error(line, "unsupported parameter expansion")
        self.take(2 if default_if_empty else 1)
        default = tuple(self.parts("}"))
        if self.take() != "}":
            raise self.script.error(line, "unterminated ${")
        return Reference(name_text, default, default_if_empty)

    def backticks(self) -> Substitution:
        line = self.line
        start = self.pos
        self.take()
        while self.pos < len(self.text):
            char = self.take()
            if char == "\\":
                self.take()
            elif char == "`":
                return Substitution(self.text[start : self.pos])
        raise self.script.error(line, "unterminated backtick")


def _add_literal(parts: list[Part], text: str, *, quoted: bool) -> None:
    _add_part(parts, Literal(text, quoted))


def _add_part(parts: list[Part], part: Part) -> None:
    """Append, merging neighbour literals of the same quoting so words stay easy to match."""
    last = parts[-1] if parts else None
    if isinstance(part, Literal) and isinstance(last, Literal) and last.quoted == part.quoted:
        parts[-1] = Literal(last.text + part.text, part.quoted)
    else:
        parts.append(part)
