"""Names: titles, accents, case and initials tolerated; family names must be close."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policylint.normalise.names import (
    SUFFIXES,
    TITLES,
    initials,
    name_difference,
    name_parses,
    name_tokens,
    names_match,
    normalise_name,
)


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("Mrs Jane Smith", "jane smith"),
        ("Dr  JOHN   Smith Jr.", "john smith"),
        ("Mr. J. Smith", "j smith"),
        ("Zoë O'Brien", "zoe obrien"),
        ("Siobhán Ní Bhriain", "siobhan ni bhriain"),
        ("Prof Sir Anthony Hopkins OBE", "anthony hopkins"),
        ("Rev. Dr Mary-Anne Jones-Williams", "mary anne jones williams"),
        ("Smith, John", "john smith"),
        ("John Smith, OBE", "john smith"),
        ("Henry Tudor VIII", "henry tudor viii"),  # not a suffix we strip
        ("Charles Windsor III", "charles windsor"),
        ("Mx Sam Taylor", "sam taylor"),
        ("Miss", ""),
        ("Mr Lord", "lord"),  # a surname that is also a title
        ("John Major", "john major"),
        ("", ""),
    ],
)
def test_normalise_name(text: str, normal: str) -> None:
    assert normalise_name(text) == normal
    assert name_tokens(text) == tuple(normal.split())


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Mr John Smith", "J. S."), ("jane smith", "J. S."), ("Dr Zoë Ólafsdóttir", "Z. O."),
     ("Mrs", ""), ("Aisha Khan-Patel", "A. K. P.")],
)
def test_initials(text: str, expected: str) -> None:
    assert initials(text) == expected


MATCH = [
    ("Mrs Jane Smith", "Jane", "Smith"),
    ("JANE SMITH", "Jane", "Smith"),
    ("J Smith", "Jane", "Smith"),
    ("J. Smith", "Jane", "Smith"),
    ("Mrs Smith", "Jane", "Smith"),
    ("Jane Elizabeth Smith", "Jane", "Smith"),
    ("Jane E. Smith", "Jane Elizabeth", "Smith"),
    ("Elizabeth Smith", "Jane Elizabeth", "Smith"),  # goes by her middle name
    ("Zoe OBrien", "Zoë", "O'Brien"),
    ("Siobhan Ni Bhriain", "Siobhán", "Ní Bhriain"),
    ("Mary Smith-Jones", "Mary", "Smith Jones"),
    ("Mary Smithjones", "Mary", "Smith-Jones"),
    ("SMITH, Jane", "Jane", "Smith"),
    ("SMITH Jane", "Jane", "Smith"),
    ("Mohammed Al-Hassan", "Mohammed", "Al Hassan"),
    ("Katharine Macdonald", "Katharine", "MacDonald"),
]
NO_MATCH = [
    ("John Smith", "Jane", "Smith"),       # different given name
    ("J Smith", "Peter", "Smith"),         # initial contradicts
    ("Jane Smithers", "Jane", "Smith"),    # different family
    ("Jane Smyth", "Jane", "Smith"),       # close, but a different family name
    ("Jane Brown", "Jane", "Smith"),
    ("Mrs", "Jane", "Smith"),
    ("", "Jane", "Smith"),
    ("Jane Smith", "Jane", ""),
]


@pytest.mark.parametrize(("batch", "given_name", "family"), MATCH)
def test_names_that_match(batch: str, given_name: str, family: str) -> None:
    assert names_match(batch, given_name, family)


@pytest.mark.parametrize(("batch", "given_name", "family"), NO_MATCH)
def test_names_that_do_not_match(batch: str, given_name: str, family: str) -> None:
    assert not names_match(batch, given_name, family)


def test_threshold_loosens_family_comparison() -> None:
    assert not names_match("Jane Smyth", "Jane", "Smith")
    assert names_match("Jane Smyth", "Jane", "Smith", threshold=75)


_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=12).filter(
    lambda n: n not in TITLES and n not in SUFFIXES)
_TITLE = st.sampled_from(["", "Mr ", "Mrs ", "Ms ", "Dr ", "Miss ", "Mx "])


@given(given_name=_NAME, family=_NAME, title=_TITLE, upper=st.booleans())
def test_a_person_matches_their_own_name_however_written(
    given_name: str, family: str, title: str, upper: bool
) -> None:
    written = f"{title}{given_name.title()} {family.title()}"
    if upper:
        written = written.upper()
    assert names_match(written, given_name, family)
    assert names_match(f"{title}{given_name[0].upper()} {family}", given_name, family)


# --- titles the UK really uses: ranks, clergy, civic, multi-word units ----------------

TITLED_MATCH = [
    ("Cpl J Smith", "John", "Smith"),
    ("Pte John Smith", "John", "Smith"),
    ("L/Cpl J Smith", "John", "Smith"),
    ("LCpl J Smith", "John", "Smith"),
    ("Sgt J Smith", "John", "Smith"),
    ("S/Sgt J Smith", "John", "Smith"),
    ("CSgt J Smith", "John", "Smith"),
    ("WO1 J Smith", "John", "Smith"),
    ("WO2 J Smith", "John", "Smith"),
    ("2Lt J Smith", "John", "Smith"),
    ("Second Lieutenant J Smith", "John", "Smith"),
    ("Lt J Smith", "John", "Smith"),
    ("Capt J Smith", "John", "Smith"),
    ("Maj J Smith", "John", "Smith"),
    ("Major John Smith", "John", "Smith"),
    ("Lt Col J Smith", "John", "Smith"),
    ("Lieutenant Colonel John Smith", "John", "Smith"),
    ("Col J Smith", "John", "Smith"),
    ("Brig J Smith", "John", "Smith"),
    ("Gen Sir John Smith", "John", "Smith"),
    ("Flt Lt A Khan", "Aisha", "Khan"),
    ("Flight Lieutenant Aisha Khan", "Aisha", "Khan"),
    ("Fg Off A Khan", "Aisha", "Khan"),
    ("Plt Off A Khan", "Aisha", "Khan"),
    ("Sqn Ldr A Khan", "Aisha", "Khan"),
    ("Wg Cdr A Khan", "Aisha", "Khan"),
    ("Gp Capt A Khan", "Aisha", "Khan"),
    ("Cdr A Khan", "Aisha", "Khan"),
    ("Lt Cdr A Khan", "Aisha", "Khan"),
    ("Adm Sir A Khan", "Aisha", "Khan"),
    ("AB J Smith", "John", "Smith"),
    ("PO J Smith", "John", "Smith"),
    ("CPO J Smith", "John", "Smith"),
    ("Mne J Smith", "John", "Smith"),
    ("Revd Dr Ann Lee", "Ann", "Lee"),
    ("The Revd Ann Lee", "Ann", "Lee"),
    ("Rt Revd Ann Lee", "Ann", "Lee"),
    ("The Rt Revd Ann Lee", "Ann", "Lee"),
    ("The Revd Canon Ann Lee", "Ann", "Lee"),
    ("Rev A Lee", "Ann", "Lee"),
    ("Canon Ann Lee", "Ann", "Lee"),
    ("Bishop Ann Lee", "Ann", "Lee"),
    ("Pastor Ann Lee", "Ann", "Lee"),
    ("Fr Michael O'Brien", "Michael", "O'Brien"),
    ("Father Michael O'Brien", "Michael", "O'Brien"),
    ("Sister Mary Smith", "Mary", "Smith"),
    ("Sr Mary Smith", "Mary", "Smith"),
    ("Brother Paul Smith", "Paul", "Smith"),
    ("Br Paul Smith", "Paul", "Smith"),
    ("Imam Yusuf Patel", "Yusuf", "Patel"),
    ("Rabbi David Cohen", "David", "Cohen"),
    ("Cllr Ann Lee", "Ann", "Lee"),
    ("Councillor Ann Lee", "Ann", "Lee"),
    ("Ald Ann Lee", "Ann", "Lee"),
    ("Alderman Ann Lee", "Ann", "Lee"),
    ("Dame Ann Lee", "Ann", "Lee"),
    ("Sir John Smith", "John", "Smith"),
    ("Lord Smith", "John", "Smith"),
    ("Lady Ann Lee", "Ann", "Lee"),
    ("Baroness Lee", "Ann", "Lee"),
    ("Baron Smith", "John", "Smith"),
    ("The Hon Ann Lee", "Ann", "Lee"),
    ("Hon Ann Lee", "Ann", "Lee"),
    ("The Rt Hon Ann Lee", "Ann", "Lee"),
    ("Dr Ann Lee", "Ann", "Lee"),
    ("Prof Ann Lee", "Ann", "Lee"),
    ("Mx Sam Lee", "Sam", "Lee"),
    ("Master Sam Lee", "Sam", "Lee"),
    ("Judge Ann Lee", "Ann", "Lee"),
    ("HH Judge Lee", "Ann", "Lee"),
    ("His Honour Judge Lee", "Ann", "Lee"),
    ("Sra María García", "María", "García López"),
    ("Mrs Smith", "Jane", "Smith"),
    ("Mr and Mrs J Smith", "John", "Smith"),
    ("Mr & Mrs J Smith", "John", "Smith"),
    ("RSM J Smith", "John", "Smith"),
    ("Sgt Maj J Smith", "John", "Smith"),
    ("Monsignor Paul Smith", "Paul", "Smith"),
    ("Shri Ravi Patel", "Ravi", "Patel"),
    ("Smt Asha Patel", "Asha", "Patel"),
    ("Y Parch Ann Lee", "Ann", "Lee"),        # Welsh: the Reverend
    ("Cyng Ann Lee", "Ann", "Lee"),           # Welsh: Councillor
    ("John Smith BSc", "John", "Smith"),
    ("John Smith CVO", "John", "Smith"),
    ("John Ma", "John", "Ma"),                # Ma is a surname, not a degree
]
# A title word that is the person's own name is never held against them.
TITLE_WORD_IS_A_NAME = [
    ("Major Tom", "Tom", "Major"),         # surname first
    ("Tom Major", "Tom", "Major"),
    ("John Major", "John", "Major"),
    ("Mr Lord", "Peter", "Lord"),
    ("Sister", "", "Sister"),
    ("Ann Bishop", "Ann", "Bishop"),
    ("Canon Ann", "Ann", "Canon"),         # surname first
    ("AB Smith", "Alan Brian", "Smith"),   # initials, not Able Seaman
    ("Hafiz Rahman", "Hafiz", "Rahman"),   # a given name, not only a title
    ("Don Smith", "Don", "Smith"),
]
TITLED_MISMATCH = [
    ("Cpl P Smith", "John", "Smith"),       # the initial behind the rank differs
    ("Flt Lt B Khan", "Aisha", "Khan"),
    ("Revd Dr Ann Leigh", "Ann", "Lee"),
    ("Lt Col J Smyth", "John", "Smith"),
    ("Sister Mary Jones", "Mary", "Smith"),
    ("AB Smith", "Peter", "Smith"),         # could be A. B. Smith: not a bare "Smith"
    ("Hafiz Rahman", "Abdul", "Rahman"),    # Hafiz may be his given name: not a bare "Rahman"
    ("Dean Smith", "Peter", "Smith"),       # Dean is a name, never a title here
    ("Lance Smith", "Peter", "Smith"),
    ("Earl Smith", "Peter", "Smith"),
    ("Major Tom", "Tom", "Smith"),
    ("Cpl", "John", "Smith"),
    ("Flt Lt", "John", "Smith"),
    ("Dom Smith", "Peter", "Smith"),        # Dom may be Dominic
    ("Haji Rahman", "Abdul", "Rahman"),
    ("Mr and Mrs P Smith", "John", "Smith"),
]


@pytest.mark.parametrize(("batch", "given_name", "family"), TITLED_MATCH + TITLE_WORD_IS_A_NAME)
def test_titled_names_match(batch: str, given_name: str, family: str) -> None:
    assert names_match(batch, given_name, family)


@pytest.mark.parametrize(("batch", "given_name", "family"), TITLED_MISMATCH)
def test_titled_names_that_do_not_match(batch: str, given_name: str, family: str) -> None:
    assert not names_match(batch, given_name, family)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Flt Lt A Khan", ("a", "khan")),
        ("Sqn Ldr Jo Bloggs", ("jo", "bloggs")),
        ("The Revd Canon Ann Lee", ("ann", "lee")),
        ("HH Judge Smith", ("smith",)),
        ("Lt Col J Smith", ("j", "smith")),
        ("Cpl J Smith", ("j", "smith")),
        ("Major Tom", ("tom",)),          # a name remains: the leading word is a title
        ("Major", ()),                    # nothing would remain: names nobody
        ("AB Smith", ("ab", "smith")),    # initials: a title only before a given name
        ("AB J Smith", ("j", "smith")),
        ("Dean Smith", ("dean", "smith")),
        ("Smith, Flt Lt Aisha", ("aisha", "smith")),
    ],
)
def test_titles_are_units_at_the_start_only_when_a_name_remains(
        text: str, tokens: tuple[str, ...]) -> None:
    assert name_tokens(text) == tokens


def test_name_parses_keep_title_words_as_a_possible_name() -> None:
    assert name_parses("Major Tom") == (("tom",), ("major", "tom"))
    assert name_parses("") == ()


# --- suffixes: Junior, Senior, Jr, II only when a surname remains ----------------------

@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("John Smith Jr", ("john", "smith")),
        ("John Smith Junior", ("john", "smith")),
        ("John Smith Senior", ("john", "smith")),
        ("John Smith Snr", ("john", "smith")),
        ("John Smith II", ("john", "smith")),
        ("John Smith III OBE", ("john", "smith")),
        ("John Junior", ("john", "junior")),   # Junior is the surname
        ("John Senior", ("john", "senior")),
        ("Smith Jr", ("smith", "jr")),
        ("Ann Lee OBE", ("ann", "lee")),
    ],
)
def test_generational_suffixes_need_a_surname_before_them(text: str,
                                                          tokens: tuple[str, ...]) -> None:
    assert name_tokens(text) == tokens


@pytest.mark.parametrize(("batch", "given_name", "family", "same"), [
    ("John Junior", "John", "Junior", True),
    ("Mr John Junior", "John", "Junior", True),
    ("John Smith Jr", "John", "Smith", True),
    ("John Smith Jr.", "John", "Smith", True),
    ("Mr Smith Jr", "John", "Smith", True),
    ("John Senior", "John", "Senior", True),
    ("John Smith Senior", "John", "Smith", True),
    ("John Junior", "John", "Smith", False),   # Junior is not Smith
    ("John Smith Jr", "John", "Jones", False),
])
def test_suffixes_in_matching(batch: str, given_name: str, family: str, same: bool) -> None:
    assert names_match(batch, given_name, family) is same


# --- double, hyphenated and Spanish surnames written in part ---------------------------

DOUBLE_SURNAME_MATCH = [
    ("Maria Garcia", "María", "García López"),
    ("Maria Lopez", "María", "García López"),
    ("María García López", "María", "García López"),
    ("Maria Garcia-Lopez", "María", "García López"),
    ("GARCIA Maria", "María", "García López"),
    ("Mrs Garcia", "María", "García López"),
    ("Sra. María García", "María", "García López"),
    ("Maria Isabel Lopez", "María Isabel", "García López"),   # a known middle name
    ("Sarah Smith", "Sarah", "Smith-Jones"),
    ("Sarah Jones", "Sarah", "Smith-Jones"),
    ("Ms S Jones", "Sarah", "Smith-Jones"),
    ("Sarah Smith-Jones", "Sarah", "Smith"),   # the batch has the fuller surname
    ("Jose Fernandez", "José Manuel", "Fernández Ortega"),
    ("Mohammed Hassan", "Mohammed", "Al-Hassan"),
    ("Zoe Bhriain", "Zoë", "Ní Bhriain"),
]
DOUBLE_SURNAME_MISMATCH = [
    ("Maria Martinez", "María", "García López"),   # a part it does not have
    ("Maria Garsia", "María", "García López"),     # a typo in the part
    ("Maria Lopes", "María", "García López"),
    ("Maria Nowak Lopez", "María", "García López"),  # another first surname
    ("Sarah Brown-Jones", "Sarah", "Smith-Jones"),   # a different part
    ("Sarah Brown", "Sarah", "Smith-Jones"),
    ("Sarah Smythe", "Sarah", "Smith-Jones"),
    ("Peter Jones", "Sarah", "Smith-Jones"),         # the part is right, the given name is not
    ("Mohammed Al", "Mohammed", "Al-Hassan"),        # a particle alone is no part
    ("Zoe Ni", "Zoë", "Ní Bhriain"),
    ("John Smith", "Peter", "Smith"),                # the given name may not become a surname
    ("Mrs Smith-Jones", "Jane", "Smith"),
]


@pytest.mark.parametrize(("batch", "given_name", "family"), DOUBLE_SURNAME_MATCH)
def test_double_surname_written_in_part_matches(batch: str, given_name: str,
                                                family: str) -> None:
    assert names_match(batch, given_name, family)


@pytest.mark.parametrize(("batch", "given_name", "family"), DOUBLE_SURNAME_MISMATCH)
def test_double_surname_with_another_part_does_not_match(batch: str, given_name: str,
                                                         family: str) -> None:
    assert not names_match(batch, given_name, family)


@pytest.mark.parametrize(("value", "family", "same"), [
    ("Garcia", "García López", True),     # a surname column holding one part
    ("Smith", "Smith-Jones", True),
    ("Jones-Smith", "Smith-Jones", False),  # the next row's surname, same parts swapped
    ("Nowak-Achterberg", "Okafor-Achterberg", False),
    ("Martinez", "García López", False),
])
def test_surname_column_alone(value: str, family: str, same: bool) -> None:
    assert names_match(value, "", family) is same


def test_part_of_a_surname_obeys_the_threshold() -> None:
    assert not names_match("Maria Garsia", "María", "García López")
    assert names_match("Maria Garsia", "María", "García López", threshold=75)


@pytest.mark.parametrize(("batch", "given_name", "family", "differs"), [
    ("Maria Lopez", "María", "García López", ""),
    ("Maria Martinez", "María", "García López", "family name"),
    ("Peter Smith", "John", "Smith", "given name"),
    ("Cpl P Smith", "John", "Smith", "given name"),
    ("", "John", "Smith", "family name"),
])
def test_name_difference_says_which_part(batch: str, given_name: str, family: str,
                                         differs: str) -> None:
    assert name_difference(batch, given_name, family) == differs


@given(given_name=_NAME, family=_NAME,
       title=st.sampled_from(["Cpl ", "Flt Lt ", "The Revd ", "Sqn Ldr ", "Cllr ", "Imam ",
                              "Rabbi ", "Lt Col ", "HH Judge ", "Sister "]))
def test_a_rank_or_title_never_hides_the_name(given_name: str, family: str, title: str) -> None:
    written = f"{title}{given_name.title()} {family.title()}"
    assert names_match(written, given_name, family)
    assert names_match(f"{title}{given_name[0].upper()} {family}", given_name, family)
