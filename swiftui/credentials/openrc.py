"""Read an openrc file without a shell: what it sets, which values only a shell could know.

:func:`parse_openrc` runs the statement tree on variables alone. ``$(...)`` and backticks
are never run; a value built from them, from a ``read`` or from a variable the file does
not set is *unknown*. ``$VAR`` means the file's own earlier assignment, never the process
environment, so reading a file gives the same result for everyone. A bare ``OS_X=value``
counts as exported: that is what its author meant. A command it would have to skip
(``source``, ``curl``, a function) might set a variable, so it is refused with
``file:line`` rather than guessed around.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from swiftui.credentials.model import hide_secrets
from swiftui.credentials.shell_lexer import (
    NAME,
    Lexer,
    Literal,
    Part,
    Script,
    Substitution,
    Word,
    read_openrc_text,
)
from swiftui.credentials.shell_parser import Command, If, Node, Parser, statements
from swiftui.errors import CredentialsError

_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.DOTALL)
_COMMAND_REASON = "comes from a command ($(...) or backticks), which swiftui never runs"


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
            f"OpenrcFile(path={self.path!r}, values={hide_secrets(self.values)!r}, "
            f"unknown={self.unknown!r}, password_prompt={self.password_prompt!r})"
        )


@dataclass(frozen=True)
class _Value:
    text: str | None  # None: only a shell could tell
    prompted: bool = False  # typed at a ``read`` prompt
    reason: str = ""  # why the text is unknown


class _Interpreter:
    """Runs the statement tree on variables alone; no process is ever started."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.variables: dict[str, _Value] = {}
        self.cleared: set[str] = set()
        self.exported: set[str] = set()
        self.lines: dict[str, int] = {}
        self.warnings: list[str] = []

    def run(self, nodes: tuple[Node, ...]) -> None:
        for node in nodes:
            if isinstance(node, If):
                self.run_if(node)
            else:
                self.run_command(node)

    def run_if(self, statement: If) -> None:
        holds = self.test(statement.condition)
        if holds is None:
            self.warnings.append(
                f"{self.script.path}:{statement.line}: the 'if' tests a value only a shell "
                "could know; both branches are skipped"
            )
        else:
            self.run(statement.then if holds else statement.otherwise)

    def test(self, condition: Command) -> bool | None:
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

    def run_command(self, command: Command) -> None:
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

    def export(self, command: Command, arguments: tuple[Word, ...]) -> None:
        for word in arguments:
            plain = word.plain()
            if _split_assignment(word):
                self.assign(word, export=True)
            elif plain and NAME.fullmatch(plain):
                self.exported.add(plain)
            else:
                raise self.script.error(command.line, "unsupported export")

    def unset(self, command: Command, arguments: tuple[Word, ...]) -> None:
        for word in arguments:
            plain = word.plain() or ""
            if plain == "-f":
                return  # functions: the file defines none we would know of
            if plain == "-v":
                continue
            if not NAME.fullmatch(plain):
                raise self.script.error(command.line, "unsupported unset")
            self.variables.pop(plain, None)
            self.lines.pop(plain, None)
            self.exported.discard(plain)
            self.cleared.add(plain)

    def read(self, command: Command, arguments: tuple[Word, ...]) -> None:
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
            elif plain and NAME.fullmatch(plain):
                names.append(plain)
            else:
                raise self.script.error(command.line, "unsupported read")
        for name in names or ["REPLY"]:
            self.set(name, _Value(None, prompted=True, reason="is typed at a prompt"), command.line)

    def assign(self, word: Word, *, export: bool) -> None:
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

    def evaluate(self, parts: tuple[Part, ...]) -> _Value:
        values = [self.expand(part) for part in parts]
        unknown = [value for value in values if value.text is None]
        if unknown:
            prompted = any(value.prompted for value in unknown)
            return _Value(None, prompted, unknown[0].reason)
        return _Value("".join(value.text or "" for value in values))

    def expand(self, part: Part) -> _Value:
        if isinstance(part, Literal):
            return _Value(part.text)
        if isinstance(part, Substitution):
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


def _split_assignment(word: Word) -> tuple[str, tuple[Part, ...]] | None:
    first = word.parts[0] if word.parts else None
    if not isinstance(first, Literal) or first.quoted:
        return None
    match = _ASSIGNMENT.fullmatch(first.text)
    if not match:
        return None
    rest = (Literal(match[2], quoted=False),) if match[2] else ()
    return match[1], rest + word.parts[1:]


def parse_openrc(path: Path) -> OpenrcFile:
    """Read an openrc file without running it; unsupported lines raise with ``file:line``."""
    script = Script(path, read_openrc_text(path))
    nodes = Parser(script, statements(Lexer(script).tokens())).program()
    interpreter = _Interpreter(script)
    interpreter.run(nodes)
    return interpreter.result()
