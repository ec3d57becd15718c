"""Statements of an openrc file: plain commands and ``if ...; then ...; [else ...;] fi``."""

from __future__ import annotations

from dataclasses import dataclass

from swiftui.credentials.shell_lexer import Script, Separator, Word

_KEYWORDS = {"if", "then", "else", "elif", "fi"}


@dataclass(frozen=True)
class Keyword:
    word: str
    line: int


@dataclass(frozen=True)
class Command:
    words: tuple[Word, ...]

    @property
    def line(self) -> int:
        return self.words[0].line


@dataclass(frozen=True)
class If:
    line: int
    condition: Command
    then: tuple[Node, ...]
    otherwise: tuple[Node, ...]


Node = Command | If


def statements(tokens: list[Word | Separator]) -> list[Command | Keyword]:
    """Group words into commands; ``if``/``then``/``else``/``fi`` first in a command stand apart."""
    items: list[Command | Keyword] = []
    words: list[Word] = []
    for token in [*tokens, Separator(0)]:
        if isinstance(token, Separator):
            if words:
                items.append(Command(tuple(words)))
            words = []
        elif not words and token.plain() in _KEYWORDS:
            items.append(Keyword(token.plain() or "", token.line))
        else:
            words.append(token)
    return items


class Parser:
    """Builds the statement tree: plain commands and ``if ...; then ...; [else ...;] fi``."""

    def __init__(self, script: Script, items: list[Command | Keyword]) -> None:
        self.script = script
        self.items = items
        self.index = 0

    def program(self) -> tuple[Node, ...]:
        return self.block(closers=set())

    def block(self, closers: set[str]) -> tuple[Node, ...]:
        nodes: list[Node] = []
        while self.index < len(self.items):
            item = self.items[self.index]
            if isinstance(item, Command):
                nodes.append(item)
                self.index += 1
            elif item.word in closers:
                break
            elif item.word == "if":
                nodes.append(self.if_statement(item))
            else:
                raise self.script.error(item.line, f"unexpected '{item.word}'")
        return tuple(nodes)

    def if_statement(self, start: Keyword) -> If:
        self.index += 1
        condition = self.next_item()
        if not isinstance(condition, Command):
            raise self.script.error(start.line, "'if' without a condition")
        self.expect(start, {"then"})
        then = self.block({"else", "elif", "fi"})
        closer = self.expect(start, {"else", "elif", "fi"})
        if closer.word == "elif":
            raise self.script.error(closer.line, "unsupported 'elif'")
        otherwise: tuple[Node, ...] = ()
        if closer.word == "else":
            otherwise = self.block({"fi"})
            self.expect(start, {"fi"})
        return If(start.line, condition, then, otherwise)

    def next_item(self) -> Command | Keyword | None:
        if self.index >= len(self.items):
            return None
        self.index += 1
        return self.items[self.index - 1]

    def expect(self, start: Keyword, words: set[str]) -> Keyword:
        item = self.next_item()
        if not isinstance(item, Keyword) or item.word not in words:
            raise self.script.error(start.line, "'if' not understood or not closed by 'fi'")
        return item
