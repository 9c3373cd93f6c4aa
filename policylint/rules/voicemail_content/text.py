"""The script as detectors see it: words on boundaries, folded, searchable whatever the
spacing; and how a span of it is described to a user."""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass

from policylint.normalise import CACHE_SIZE

WORD_RE = re.compile(r"[^\W_]+")
DIGITS_RE = re.compile(r"[0-9]+")
NON_DIGIT_RE = re.compile(r"[^0-9]")
APOSTROPHE_CHARS = "'’‘`´ʼ"
_APOSTROPHES = dict.fromkeys(map(ord, APOSTROPHE_CHARS), None)


@functools.lru_cache(maxsize=CACHE_SIZE)
def fold(token: str) -> str:
    """A word as names and references are compared: lower case, no accents."""
    if token.isascii():
        return token.lower()
    decomposed = unicodedata.normalize("NFKD", token)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("ß", "ss").replace("ø", "o").replace("Ø", "o")
    return "".join(c for c in stripped.casefold() if c.isalnum())


@functools.lru_cache(maxsize=CACHE_SIZE)
def compact(text: str) -> str:
    """Letters and digits only, folded: how a name or reference is searched for."""
    if any(apostrophe in text for apostrophe in APOSTROPHE_CHARS):
        text = text.translate(_APOSTROPHES)
    return "".join(fold(m.group()) for m in WORD_RE.finditer(text))


@dataclass
class ScriptText:
    """A text split into words, searchable on word boundaries whatever the spacing.

    ``compact`` is every word folded and run together, so ``O'Brien``,
    ``OBrien`` and ``o brien`` are the same, and ``HB/2024/0071`` is
    ``HB 2024 0071``; a match must start and end on word boundaries.
    ``spaced`` is the folded words with single spaces (for sequences such as
    dates, where the words must stay apart). ``offsets[i]`` is where word ``i``
    starts in ``compact``.
    """

    text: str
    starts: list[int]
    ends: list[int]
    words: list[str]
    offsets: list[int]
    compact: str
    spaced: str

    @classmethod
    def of(cls, text: str) -> ScriptText:
        starts: list[int] = []
        ends: list[int] = []
        words: list[str] = []
        if text.isascii():
            for match in WORD_RE.finditer(text.lower()):
                start, end = match.span()
                starts.append(start)
                ends.append(end)
                words.append(match.group())
        else:
            for match in WORD_RE.finditer(text):
                word = match.group()
                word = word.lower() if word.isascii() else fold(word)
                if word:
                    start, end = match.span()
                    starts.append(start)
                    ends.append(end)
                    words.append(word)
        compact = "".join(words)
        return cls(
            text=text, starts=starts, ends=ends, words=words,
            offsets=list(itertools.accumulate(map(len, words), initial=0)),
            compact=compact, spaced=f" {' '.join(words)} ",
        )

    @functools.cached_property
    def word_set(self) -> frozenset[str]:
        return frozenset(self.words)

    @functools.cached_property
    def numbers(self) -> frozenset[str]:
        """Every run of digits in the text."""
        return frozenset(DIGITS_RE.findall(self.text))

    @functools.cached_property
    def digits(self) -> str:
        """Every digit in the text, run together."""
        return NON_DIGIT_RE.sub("", self.text)

    def _word_at(self, position: int) -> int | None:
        """The word starting at ``position`` of ``compact`` (or ending there, as the
        word before the next), or None inside a word."""
        index = bisect.bisect_left(self.offsets, position)
        if index < len(self.offsets) and self.offsets[index] == position:
            return index
        return None

    def find_compact(self, needle: str) -> list[tuple[int, int]]:
        """Spans (in ``text``) where ``needle`` (compact, folded) starts and ends on words."""
        spans: list[tuple[int, int]] = []
        if not needle:
            return spans
        position = self.compact.find(needle)
        while position >= 0:
            first = self._word_at(position)
            after = self._word_at(position + len(needle)) if first is not None else None
            if first is not None and after is not None:
                spans.append((self.starts[first], self.ends[after - 1]))
            position = self.compact.find(needle, position + 1)
        return spans

    def find_words(self, needle: str) -> list[tuple[int, int]]:
        """Spans where the space-separated folded words of ``needle`` appear in order."""
        spans: list[tuple[int, int]] = []
        count = needle.count(" ") + 1
        position = self.spaced.find(f" {needle} ")
        while position >= 0:
            # the word starting at spaced offset position + 1 has i words and spaces before it
            first = self.spaced.count(" ", 0, position + 1) - 1
            spans.append((self.starts[first], self.ends[first + count - 1]))
            position = self.spaced.find(f" {needle} ", position + 1)
        return spans

    def words_in(self, start: int, end: int) -> str:
        """The folded words inside ``text[start:end]``, space-separated."""
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_right(self.ends, end)
        return " ".join(self.words[first:last])

    def word_index_at(self, offset: int) -> int:
        """The index of the first word starting at or after ``offset`` of ``text``."""
        return bisect.bisect_left(self.starts, offset)

    def count_words(self, needle: str) -> int:
        return self.spaced.count(f" {needle} ") if needle else 0


def where(text: str, start: int, end: int) -> tuple[int, int, str]:
    """(line, column, 'at line L, characters A–B of the script') for a span, 1-based."""
    line, col = line_col(text, start)
    last = max(start, end - 1)
    end_line, end_col = line_col(text, last)
    if end_line == line:
        said = (f"at line {line}, character {col} of the script" if end_col == col else
                f"at line {line}, characters {col}–{end_col} of the script")
    else:
        said = (f"from line {line}, character {col} to line {end_line}, character"
                f" {end_col} of the script")
    return line, col, said


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
