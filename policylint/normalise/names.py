"""Personal names: normalise, tokenise, compare, abbreviate.

Only spelling is compared fuzzily: case, accents, punctuation, spacing, titles
(``Mrs``, ``Flt Lt``, ``The Revd``), honours and suffixes (``OBE``, ``Jr``),
middle names and initials for the given name are tolerated; a family name must
still be close to the register's. A family name of several words
(``Smith-Jones``, ``García López``) may be written in part, when the part
written is one of its words.

Titles and suffixes come from a table here rather than a name-parsing library:
``nameparser`` (evaluated) misses British ranks and clergy (``Flt Lt``,
``Sqn Ldr``, ``Revd``, ``HH Judge``), reads ``AB Smith`` as Able Seaman Smith and
``John Junior`` as a man with no surname, and cannot say "this word may be a
title or a name". Here a title is a title only at the start of a name and when a
name remains after it, and a generational suffix (``Junior``, ``Jr``, ``III``) only
when a given name and a surname remain before it; :func:`names_match` also tries
every word as a name (``Major Tom`` is Tom Major written surname first), so a
title word that is someone's name is never held against them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz

from policylint.normalise import CACHE_SIZE


def _units(*spellings: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(spelling.split()) for spelling in spellings)


# Titles, folded (lower case, no punctuation), each a unit of one or more words.
_CIVIL = _units(
    "mr", "mrs", "ms", "miss", "mx", "master", "madam", "madame", "dr", "doctor", "prof",
    "professor", "sir", "dame", "lord", "lady", "baron", "baroness", "viscount",
    "viscountess", "count", "countess", "hon", "the hon", "honourable",
    "the honourable", "rt hon", "the rt hon", "right honourable", "the right honourable",
    "cllr", "councillor", "coun", "ald", "alderman", "alderwoman", "mayor", "judge",
    "hh judge", "his honour judge", "her honour judge", "his honour", "her honour",
    "sra", "srta", "don", "dona", "mme", "mlle", "herr", "frau", "mstr", "messrs",
    "mr and mrs", "mrs and mr", "mr and mr", "mrs and mrs", "dr and mrs", "dr and mr",
    "mr and dr", "mrs and dr", "shri", "sri", "smt", "shrimati", "kumari", "sardar",
    # Welsh: Cynghorydd (councillor), Parchedig (reverend)
    "cyng", "cynghorydd", "y cynghorydd", "parch", "y parch", "parchedig", "y parchedig",
    "mr justice", "mrs justice", "rt", "the lord", "the lady",
)
_RELIGIOUS = _units(
    "rev", "revd", "reverend", "the rev", "the revd", "the reverend", "rt revd", "rt rev",
    "the rt revd", "right reverend", "the right reverend", "very revd", "the very revd",
    "very reverend", "the very reverend", "most revd", "the most revd", "most reverend",
    "ven", "the ven", "venerable", "the venerable", "canon", "preb", "prebendary",
    "bishop", "archbishop", "archdeacon", "pastor", "elder", "evangelist", "fr", "father",
    "sr", "sister", "br", "brother", "mother", "imam", "sheikh", "shaykh", "maulana",
    "mufti", "hafiz", "rabbi", "cantor", "pandit", "swami", "bhai", "sant", "giani",
    "chaplain", "deacon", "the revd canon", "revd canon", "revd dr", "the revd dr",
    "mgr", "msgr", "monsignor", "cardinal", "dom", "haji", "hajji", "hajjah", "hajja",
    "reverend mother", "mother superior", "ustadh", "ustaz",
)
_MILITARY = _units(
    # Army and Royal Marines
    "pte", "private", "tpr", "trooper", "gnr", "gunner", "spr", "sapper", "sig", "signaller",
    "rfn", "rifleman", "gdsm", "guardsman", "fus", "fusilier", "kgn", "kingsman", "cfn",
    "craftsman", "mne", "marine", "lcpl", "l cpl", "lance corporal", "lbdr", "l bdr",
    "lance bombardier", "cpl", "corporal", "bdr", "bombardier", "lsgt", "lance sergeant",
    "sgt", "sergeant", "ssgt", "s sgt", "staff sergeant", "csgt", "c sgt", "colour sergeant",
    "wo", "wo1", "wo2", "wo 1", "wo 2", "warrant officer", "warrant officer class 1",
    "warrant officer class 2", "csm", "rsm", "sgt maj", "sergeant major",
    "company sergeant major", "regimental sergeant major", "ocdt", "officer cadet", "2lt",
    "2 lt", "2nd lt",
    "second lieutenant", "lt", "lieut", "lieutenant", "capt", "captain", "maj", "major",
    "lt col", "lieutenant colonel", "col", "colonel", "brig", "brigadier", "maj gen",
    "major general", "lt gen", "lieutenant general", "gen", "general", "field marshal",
    # Royal Navy
    "ab", "able seaman", "ls", "leading seaman", "po", "petty officer", "cpo",
    "chief petty officer", "mid", "midshipman", "slt", "sub lt", "sub lieutenant",
    "lt cdr", "lieutenant commander", "cdr", "commander", "cdre", "commodore", "adm",
    "admiral", "r adm", "rear admiral", "v adm", "vice admiral",
    # Royal Air Force
    "ac", "aircraftman", "aircraftwoman", "lac", "leading aircraftman", "sac",
    "senior aircraftman", "cpl tech", "chf tech", "chief technician", "fs", "flt sgt",
    "flight sergeant", "mach", "master aircrew", "plt off", "pilot officer", "fg off",
    "flying officer", "flt lt", "flight lieutenant", "sqn ldr", "squadron leader", "wg cdr",
    "wing commander", "gp capt", "group captain", "air cdre", "air commodore", "avm",
    "air vice marshal", "air mshl", "air marshal", "acm", "air chief marshal",
)
TITLE_UNITS: frozenset[tuple[str, ...]] = _CIVIL | _RELIGIOUS | _MILITARY
# Every title of one word (kept for callers that filter single words).
TITLES = frozenset(unit[0] for unit in TITLE_UNITS if len(unit) == 1)
# Titles that are also a plausible run of initials ("AB Smith" is A. B. Smith as
# often as Able Seaman Smith) or a given name people really have ("Hafiz Rahman"):
# a title only when a given name still follows it, so that "AB Smith" is never
# read as a Smith with no given name to contradict the register's.
INITIAL_LIKE_TITLES = frozenset({
    "ab", "po", "ls", "fs", "ac", "wo", "fr", "br", "sr", "cpo", "lac", "sac", "avm", "mid",
    "mach", "sig", "fus", "gen", "col", "hafiz", "sheikh", "shaykh", "deacon", "elder",
    "bhai", "sant", "giani", "cantor", "count", "marine", "private", "general", "mufti",
    "pandit", "swami", "don", "dona", "dom", "haji", "hajji", "kumari", "sardar",
})
_LONGEST_TITLE = max(len(unit) for unit in TITLE_UNITS)

# Generation marks: a suffix only when a given name and a surname remain before it
# ("John Junior" may be John whose surname is Junior).
GENERATIONAL = frozenset({"jr", "jnr", "junior", "sr", "snr", "senior", "ii", "iii", "iv"})
# Honours and post-nominals: a suffix whenever a name remains before it.
HONOURS = frozenset({
    "esq", "esquire", "obe", "mbe", "cbe", "kbe", "dbe", "gbe", "bem", "qc", "kc", "mp", "msp",
    "ms", "jp", "dl", "phd", "md", "frcp", "frcs", "rn", "vc", "gc", "dso", "mc", "dfc",
    "kcb", "ocf", "cf", "qgm", "rrc", "td", "cvo", "lvo", "mvo", "kcvo", "gcb", "cb", "qpm",
    "kpm", "dfm", "afc", "bsc", "msc", "llb", "llm", "mba", "frcgp", "mrcgp", "mrcp", "frcn",
    "fca", "aca", "acca", "ceng", "frsa", "fcipd", "rgn", "rmn",
})
SUFFIXES = GENERATIONAL | HONOURS

# Words that join or introduce a surname and name nobody on their own: a family
# name written in part must be written by one of its other words.
PARTICLES = frozenset({
    "al", "el", "de", "da", "di", "do", "dos", "das", "du", "del", "della", "der", "den",
    "van", "von", "la", "le", "lo", "mac", "mc", "bin", "ibn", "bint", "ben", "ap", "ab",
    "ni", "nic", "ua", "o", "san", "santa", "y", "e", "i", "ter", "ten", "zu", "af", "bat",
})

_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼ"), None)
_NON_WORD = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=CACHE_SIZE)
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = (stripped.replace("ß", "ss").replace("ø", "o").replace("Ø", "o")
                .replace("ł", "l").replace("Ł", "L"))
    folded = stripped.casefold().translate(_APOSTROPHES)
    return _NON_WORD.sub(" ", folded).strip()


def _reordered(text: str) -> str:
    """"Smith, John" turned round to "John Smith" (not "John Smith, OBE")."""
    if "," in text:
        family, _, rest = text.partition(",")
        rest_tokens = _fold(rest).split()
        if rest_tokens and _fold(family) and not all(t in SUFFIXES for t in rest_tokens):
            return f"{rest} {family}"
    return text


def _title_at(tokens: tuple[str, ...], start: int) -> int:
    """Length of the longest title unit starting at ``tokens[start]`` (0: none)."""
    for size in range(min(_LONGEST_TITLE, len(tokens) - start), 0, -1):
        if tuple(tokens[start:start + size]) in TITLE_UNITS:
            return size
    return 0


def _title_cuts(tokens: tuple[str, ...]) -> list[int]:
    """Where the name may start after leading titles: ``[0, after 1st title, ...]``.

    A title is stripped only when a name remains after it (two words after a
    title that could be initials).
    """
    cuts = [0]
    start = 0
    while True:
        size = _title_at(tokens, start)
        if not size:
            return cuts
        remaining = len(tokens) - start - size
        needed = 2 if size == 1 and tokens[start] in INITIAL_LIKE_TITLES else 1
        if remaining < needed:
            return cuts
        start += size
        cuts.append(start)


def _suffix_cuts(tokens: tuple[str, ...]) -> list[int]:
    """Where the name may end before trailing suffixes: ``[len, before last suffix, ...]``."""
    cuts = [len(tokens)]
    end = len(tokens)
    while end > 1:
        last = tokens[end - 1]
        if last in HONOURS or (last in GENERATIONAL and end - 1 >= 2):
            end -= 1
            cuts.append(end)
        else:
            break
    return cuts


@functools.lru_cache(maxsize=CACHE_SIZE)
def name_parses(text: str) -> tuple[tuple[str, ...], ...]:
    """Every reading of a written name as name words, the likeliest first.

    The first is :func:`name_tokens`; the others keep some of the leading title
    words or trailing suffixes as names (``"Major Tom"`` is also
    ``("major", "tom")``). Empty for text with no name in it.
    """
    tokens = tuple(_fold(_reordered(text)).split())
    if not tokens:
        return ()
    if len(tokens) == 1 and tokens[0] in TITLES and tokens[0] not in SUFFIXES:
        return ((), tokens)  # "Mrs" on its own names nobody; "Major" might
    parses: list[tuple[str, ...]] = []
    for end in reversed(_suffix_cuts(tokens)):
        head = tokens[:end]
        for start in reversed(_title_cuts(head)):
            parse = head[start:]
            if parse and parse not in parses:
                parses.append(parse)
    return tuple(parses)


def name_tokens(text: str) -> tuple[str, ...]:
    """The words of a name, folded, without leading titles or trailing suffixes.

    ``"Mrs. Zoë O'Brien-Smith OBE"`` gives ``("zoe", "obrien", "smith")``;
    ``"Flt Lt A Khan"`` gives ``("a", "khan")``; ``"John Junior"`` keeps
    ``"junior"`` (nothing would be left of a surname). A "Surname, Given"
    spelling is turned round to "Given Surname".
    """
    parses = name_parses(text)
    return parses[0] if parses else ()


def normalise_name(text: str) -> str:
    """One canonical spelling: ``"Dr  JOHN   Smith Jr."`` gives ``"john smith"``."""
    return " ".join(name_tokens(text))


def initials(text: str) -> str:
    """``"J. S."`` for ``"Mr John Smith"``; ``""`` when there is no name."""
    return " ".join(f"{token[0].upper()}." for token in name_tokens(text))


def _close(a: str, b: str, threshold: float) -> bool:
    return a == b or fuzz.ratio(a, b) >= threshold


def _given_matches(batch_given: tuple[str, ...], given: tuple[str, ...], threshold: float) -> bool:
    """The batch's first given word matches a register given name, or is its initial."""
    if not batch_given or not given:
        return True  # "Mr Smith": no given name to contradict
    first = batch_given[0]
    if len(first) == 1:
        return first == given[0][0] or any(first == g[0] for g in given[1:])
    return any(_close(first, g, threshold) for g in given) or (
        # initial(s) written without spaces: "JA Smith" for "John Andrew"
        len(first) <= 3 and first == "".join(g[0] for g in given)[: len(first)]
    )


def _words(tokens: Iterable[str]) -> list[str]:
    return [t for t in tokens if t not in PARTICLES]


def _part_of(part: tuple[str, ...], whole: tuple[str, ...], threshold: float) -> bool:
    """Every word of ``part`` (particles aside) is a distinct word of ``whole``.

    ``("garcia",)`` is part of ``("garcia", "lopez")``, ``("hassan",)`` of
    ``("al", "hassan")``; ``("al",)`` is part of nothing. Each word is compared
    with ``threshold``, like a whole family name.
    """
    words = _words(part)
    available = _words(whole)
    if not words or len(part) >= len(whole):
        return False
    for word in words:
        for i, candidate in enumerate(available):
            if _close(word, candidate, threshold):
                del available[i]
                break
        else:
            return False
    return True


def _family_same(batch_family: tuple[str, ...], family: tuple[str, ...], threshold: float,
                 shorter_allowed: bool = True, longer_allowed: bool = True) -> bool:
    if len(batch_family) == len(family) and _close(
            " ".join(batch_family), " ".join(family), threshold):
        return True
    # "Smithjones" for "Smith-Jones", "Mac Donald" for "MacDonald"
    if "".join(batch_family) == "".join(family):
        return True
    # A double surname written in part, either way round: "García" for "García López"
    # (the register knows both), "Smith-Jones" for "Smith" (the batch does).
    return (shorter_allowed and _part_of(batch_family, family, threshold)) or (
        longer_allowed and _part_of(family, batch_family, threshold))


def _only_given_names(batch_given: tuple[str, ...], given: tuple[str, ...],
                      threshold: float) -> bool:
    """Every word after the first of the batch's given names is one of the register's
    given names (or its initial): nothing left over that could be the other part of
    a double surname ("Amara Nowak Achterberg" is not Amara Okafor-Achterberg)."""
    return all(
        any(_close(word, g, threshold) or (len(word) == 1 and word == g[0]) for g in given)
        for word in batch_given[1:]
    )


def _parse_matches(batch: tuple[str, ...], given: tuple[str, ...], family: tuple[str, ...],
                   threshold: float) -> bool:
    for w in range(1, min(len(batch), len(family) + 3) + 1):
        for batch_family, batch_given in (
            (batch[-w:], batch[:-w]),  # "John Smith"
            (batch[:w], batch[w:]),    # "SMITH John"
        ):
            # A surname written in part needs the rest of the batch name to be given
            # names the register knows ("Jones-Smith" is not Smith-Jones with given
            # name "Jones"), or nothing ("Mrs García"). A batch surname longer than
            # the register's may not swallow the given name: "John Smith" is not a
            # Smith-with-no-given-name ("Peter Smith").
            shorter = not batch_given or (
                bool(given) and _only_given_names(batch_given, given, threshold))
            longer = bool(batch_given) and bool(given)
            if _family_same(batch_family, family, threshold, shorter, longer) \
                    and _given_matches(batch_given, given, threshold):
                return True
    return False


def _family_tokens(family: str) -> tuple[str, ...]:
    return name_tokens(family) or tuple(_fold(family).split())


@functools.lru_cache(maxsize=CACHE_SIZE)
def names_match(batch_name: str, given: str, family: str, threshold: float = 90) -> bool:
    """Does the name in a batch row name the register's person?

    Tolerates titles (``Flt Lt``, ``The Revd Canon``), suffixes, case, accents,
    spacing, middle names, a given name reduced to an initial (``"J Smith"``) or
    missing (``"Mrs Smith"``), a person going by their middle name, "Surname,
    Given" order, and a family name of several words written by one of them
    (``"Maria López"`` for García López). The family name is compared with
    ``rapidfuzz`` and must reach ``threshold`` (0-100), as must each word of a
    family name written in part.
    """
    family_tokens = _family_tokens(family)
    given_tokens = tuple(_fold(given).split())
    if not family_tokens:
        return False
    return any(_parse_matches(parse, given_tokens, family_tokens, threshold)
               for parse in name_parses(batch_name) if parse)


def name_difference(batch_name: str, given: str, family: str, threshold: float = 90) -> str:
    """Which part of the register's name ``batch_name`` fails to match, for messages.

    ``""`` when the names match, ``"family name"`` when no reading of the batch
    name carries the register's family name, else ``"given name"``. Says what
    differs without saying either value.
    """
    if names_match(batch_name, given, family, threshold):
        return ""
    family_tokens = _family_tokens(family)
    for parse in name_parses(batch_name):
        for w in range(1, len(parse) + 1):
            if (_family_same(parse[-w:], family_tokens, threshold)
                    or _family_same(parse[:w], family_tokens, threshold)):
                return "given name"
    return "family name"
