"""A small, realistic mailing shared by the CLI tests: a register, a clean batch, a template."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

Invoke = Callable[..., Result]

HEADER = ("recipient_id,title,first_name,last_name,address_line_1,address_line_2,"
          "address_line_3,postcode,email,phone,channel,account_ref\n")
PEOPLE = [("Mrs", "Siân", "Okafor"), ("Mr", "Jan", "Nowak"), ("Ms", "Priya", "Patel"),
          ("Mr", "Liam", "O'Brien"), ("Dr", "Chloë", "Robinson"), ("Mx", "Sam", "Nguyen")]
TODAY = "2026-11-26"


def person(n: int) -> tuple[str, str, str]:
    return PEOPLE[n % len(PEOPLE)]


def good_row(n: int) -> str:
    title, first, last = person(n)
    return (f"P-{10000 + n},{title},{first},{last},{title} {first[0]} {last},{n} Mill Lane,"
            f"Kings Fenmarsh,PE30 4AB,{first.lower()}.{n}@example.org,,letter,"
            f"CT-{40000000 + n}\n")


def write_register(directory: Path, count: int) -> None:
    """The register agreeing with good_row(1..count): current, verified addresses."""
    directory.mkdir()
    people = ["person_id,title,given_name,family_name,date_of_birth,status,flags"]
    addresses = ["person_id,line_1,line_2,line_3,line_4,line_5,line_6,postcode,status,"
                 "valid_from,valid_to,verified_on"]
    contacts = ["person_id,kind,value,status,verified_on"]
    for n in range(1, count + 1):
        title, first, last = person(n)
        pid = f"P-{10000 + n}"
        people.append(f"{pid},{title},{first},{last},1970-01-{n % 28 + 1:02d},active,")
        addresses.append(f"{pid},{n} Mill Lane,Kings Fenmarsh,,,,,PE30 4AB,current,"
                         f"2020-01-01,,2026-09-01")
        contacts.append(f"{pid},email,{first.lower()}.{n}@example.org,current,2026-09-01")
    for table, lines in (("people", people), ("addresses", addresses), ("contacts", contacts)):
        (directory / f"{table}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for table, header in (("restrictions", "person_id,kind,other_person_id,note"),
                          ("representatives", "person_id,representative_id,scope,valid_to")):
        (directory / f"{table}.csv").write_text(header + "\n", encoding="utf-8")
